import { Directive, Field, ID, InputType, ObjectType, registerEnumType } from 'type-graphql';
import type { TransactionRecord } from '../domain/transactions/transaction.repository.js';
import { DateTimeScalar } from './scalars/date-time.scalar.js';

export enum TransactionTypeEnum {
  DEPOSIT = 'DEPOSIT',
  WITHDRAWAL = 'WITHDRAWAL',
  TRANSFER = 'TRANSFER',
  CARD_FUNDING = 'CARD_FUNDING',
  CARD_WITHDRAWAL = 'CARD_WITHDRAWAL',
  CARD_PURCHASE = 'CARD_PURCHASE',
  CARD_REFUND = 'CARD_REFUND',
  FEE = 'FEE',
  REVERSAL = 'REVERSAL',
}
export enum TransactionStatusEnum {
  PENDING = 'PENDING',
  COMPLETED = 'COMPLETED',
  FAILED = 'FAILED',
  REVERSED = 'REVERSED',
}
export enum TransactionDirectionEnum {
  CREDIT = 'CREDIT',
  DEBIT = 'DEBIT',
}
registerEnumType(TransactionTypeEnum, {
  name: 'TransactionType',
  description: 'The kind of movement a transaction row belongs to.',
  valuesConfig: {
    DEPOSIT: { description: 'Money paid in through the payment provider: PENDING until the provider confirms it.' },
    WITHDRAWAL: { description: 'Money paid out to a bank account: held (PENDING) until the provider settles or fails the payout.' },
    TRANSFER: { description: "Money between two users' wallets: the sender's DEBIT row and the recipient's CREDIT row." },
    CARD_FUNDING: { description: 'Wallet to card: a DEBIT row on the wallet and a CREDIT row on the card.' },
    CARD_WITHDRAWAL: {
      description: 'Card to wallet (also when a card is terminated): a DEBIT row on the card and a CREDIT row on the wallet.',
    },
    CARD_PURCHASE: {
      description: 'A merchant charged a card: PENDING while held, COMPLETED when captured, REVERSED when released, FAILED when declined.',
    },
    CARD_REFUND: { description: 'A merchant gave money back to a card.' },
    FEE: { description: "A provider fee. Fees are booked between the platform's own accounts, so no user's row has this type today." },
    REVERSAL: { description: 'A completed withdrawal the bank sent back: money returned to the wallet; the withdrawal becomes REVERSED.' },
  },
});
registerEnumType(TransactionStatusEnum, {
  name: 'TransactionStatus',
  description: 'Where a transaction row stands.',
  valuesConfig: {
    PENDING: { description: 'In flight: a deposit not yet paid, a payout or a card hold not yet settled. It will change.' },
    COMPLETED: { description: 'Done: the money moved.' },
    FAILED: { description: 'Nothing moved (a decline, a refused or unpaid payment); failureReason says why.' },
    REVERSED: { description: 'Undone: a released card hold, or a payout the bank sent back (a REVERSAL row stands beside it).' },
  },
});
registerEnumType(TransactionDirectionEnum, {
  name: 'TransactionDirection',
  description: "From the viewer's side: CREDIT brings money in, DEBIT takes it out.",
  valuesConfig: {
    CREDIT: { description: "Money into the row's wallet or card." },
    DEBIT: { description: "Money out of the row's wallet or card." },
  },
});

@ObjectType('Merchant', { description: 'Who a card purchase or refund was with, as the issuer reported it.' })
export class MerchantType {
  @Field(() => String, { description: "The merchant's name." })
  name!: string;

  @Field(() => String, { nullable: true, description: 'What it sells, e.g. grocery; null when not reported.' })
  category?: string | null;

  @Field(() => String, { nullable: true, description: 'Where it is, e.g. NG; null when not reported.' })
  country?: string | null;
}

@ObjectType('Counterparty', {
  description: 'The other person in a transfer, shown without their private details. id is their User id.',
})
export class CounterpartyType {
  @Field(() => ID, { description: 'Their User id.' })
  id!: string;

  @Field(() => String, { description: 'Their name as they gave it.' })
  fullName!: string;
}

/** amount, wallet and counterparty are resolved in TransactionResolver. */
@Directive('@cacheControl(scope: PRIVATE)')
@ObjectType('Transaction', {
  description:
    'One row per user-owned account a movement touches (a transfer gives the sender and the\nrecipient a row each; loading a card gives the wallet and the card a row each).',
})
export class TransactionType {
  @Field(() => ID, { description: "The row's id." })
  id!: string;

  @Field(() => TransactionTypeEnum, { description: 'The kind of movement.' })
  type!: TransactionTypeEnum;

  @Field(() => TransactionStatusEnum, {
    description:
      'Where it stands. PENDING rows will change; a COMPLETED withdrawal may later be REVERSED, and a FAILED deposit paid late becomes COMPLETED.',
  })
  status!: TransactionStatusEnum;

  @Field(() => TransactionDirectionEnum, { description: "Whether money came into or went out of the row's wallet or card." })
  direction!: TransactionDirectionEnum;

  @Field(() => String, {
    nullable: true,
    description: "Text for people: a transfer's note, the merchant, or what the provider did; null when there is none.",
  })
  description?: string | null;

  @Field(() => String, { description: 'Shared by every row of one movement, and with the provider where one is involved.' })
  reference!: string;

  @Field(() => MerchantType, { nullable: true, description: "On a card's purchase and refund rows; null otherwise." })
  merchant?: MerchantType | null;

  @Field(() => String, { nullable: true, description: 'Why it FAILED or was REVERSED, in words for people; null otherwise.' })
  failureReason?: string | null;

  @Field(() => DateTimeScalar, { description: 'When the row was written.' })
  createdAt!: Date;

  @Field(() => DateTimeScalar, { description: 'When its status (or a captured amount) last changed.' })
  updatedAt!: Date;

  record!: TransactionRecord;

  static from(t: TransactionRecord): TransactionType {
    return Object.assign(new TransactionType(), {
      id: t.id,
      type: t.type as TransactionTypeEnum,
      status: t.status as TransactionStatusEnum,
      direction: t.direction as TransactionDirectionEnum,
      description: t.description,
      reference: t.reference,
      merchant: t.merchant,
      failureReason: t.failureReason,
      createdAt: t.createdAt,
      updatedAt: t.updatedAt,
      record: t,
    });
  }
}

@ObjectType('PageInfo', { description: 'Where a page sits in its list.' })
export class PageInfoType {
  @Field(() => Boolean, { description: 'True when older rows follow: ask for them with after: endCursor.' })
  hasNextPage!: boolean;

  @Field(() => Boolean, { description: 'True when newer rows come before this page.' })
  hasPreviousPage!: boolean;

  @Field(() => String, { nullable: true, description: "The first edge's cursor; null on an empty page." })
  startCursor?: string | null;

  @Field(() => String, { nullable: true, description: "The last edge's cursor; null on an empty page." })
  endCursor?: string | null;
}

@ObjectType('TransactionEdge', { description: 'One row of a page, with its place in the list.' })
export class TransactionEdgeType {
  @Field(() => String, {
    description:
      'Opaque; pass it as after (or before) to page from this row. Good only in the list it came from, for the viewer it was given to.',
  })
  cursor!: string;

  @Field(() => TransactionType, { description: 'The transaction.' })
  node!: TransactionType;
}

@ObjectType('TransactionConnection', { description: 'A page of transaction rows. Newest first.' })
export class TransactionConnectionType {
  @Field(() => [TransactionEdgeType], { description: 'The rows of this page, newest first.' })
  edges!: TransactionEdgeType[];

  @Field(() => PageInfoType, { description: 'Whether more rows follow, and the cursors to get them.' })
  pageInfo!: PageInfoType;
}

@InputType({ description: 'Narrows a list of transactions; every condition given must hold.' })
export class TransactionFilter {
  @Field(() => [TransactionTypeEnum], { nullable: true, description: 'Only rows of these types.' })
  types?: TransactionTypeEnum[] | null;

  @Field(() => [TransactionStatusEnum], { nullable: true, description: 'Only rows in these statuses.' })
  statuses?: TransactionStatusEnum[] | null;

  @Field(() => ID, { nullable: true, description: "Only this wallet's rows (none when it is not the viewer's)." })
  walletId?: string | null;

  @Field(() => ID, { nullable: true, description: "Only this card's rows (none when it is not the viewer's)." })
  cardId?: string | null;

  @Field(() => DateTimeScalar, { nullable: true, description: 'Inclusive. Rows created at or after this time.' })
  from?: Date | null;

  @Field(() => DateTimeScalar, { nullable: true, description: 'Exclusive. Rows created before this time.' })
  to?: Date | null;
}

export function toConnection(page: {
  edges: { cursor: string; node: TransactionRecord }[];
  hasNextPage: boolean;
  hasPreviousPage: boolean;
}): TransactionConnectionType {
  const edges = page.edges.map((e) => ({ cursor: e.cursor, node: TransactionType.from(e.node) }));
  return {
    edges,
    pageInfo: {
      hasNextPage: page.hasNextPage,
      hasPreviousPage: page.hasPreviousPage,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
  };
}
