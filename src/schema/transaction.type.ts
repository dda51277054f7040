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
registerEnumType(TransactionTypeEnum, { name: 'TransactionType' });
registerEnumType(TransactionStatusEnum, { name: 'TransactionStatus' });
registerEnumType(TransactionDirectionEnum, {
  name: 'TransactionDirection',
  description: "From the viewer's side: CREDIT brings money in, DEBIT takes it out.",
});

@ObjectType('Merchant')
export class MerchantType {
  @Field(() => String)
  name!: string;

  @Field(() => String, { nullable: true })
  category?: string | null;

  @Field(() => String, { nullable: true })
  country?: string | null;
}

@ObjectType('Counterparty', {
  description: 'The other person in a transfer, shown without their private details. id is their User id.',
})
export class CounterpartyType {
  @Field(() => ID)
  id!: string;

  @Field(() => String)
  fullName!: string;
}

/** amount, wallet and counterparty are resolved in TransactionResolver. */
@Directive('@cacheControl(scope: PRIVATE)')
@ObjectType('Transaction', {
  description:
    'One row per user-owned account a movement touches (a transfer gives the sender and the\nrecipient a row each; loading a card gives the wallet and the card a row each).',
})
export class TransactionType {
  @Field(() => ID)
  id!: string;

  @Field(() => TransactionTypeEnum)
  type!: TransactionTypeEnum;

  @Field(() => TransactionStatusEnum)
  status!: TransactionStatusEnum;

  @Field(() => TransactionDirectionEnum)
  direction!: TransactionDirectionEnum;

  @Field(() => String, { nullable: true })
  description?: string | null;

  @Field(() => String, { description: 'Shared by every row of one movement, and with the provider where one is involved.' })
  reference!: string;

  @Field(() => MerchantType, { nullable: true })
  merchant?: MerchantType | null;

  @Field(() => String, { nullable: true })
  failureReason?: string | null;

  @Field(() => DateTimeScalar)
  createdAt!: Date;

  @Field(() => DateTimeScalar)
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

@ObjectType('PageInfo')
export class PageInfoType {
  @Field(() => Boolean)
  hasNextPage!: boolean;

  @Field(() => Boolean)
  hasPreviousPage!: boolean;

  @Field(() => String, { nullable: true })
  startCursor?: string | null;

  @Field(() => String, { nullable: true })
  endCursor?: string | null;
}

@ObjectType('TransactionEdge')
export class TransactionEdgeType {
  @Field(() => String, { description: "Opaque; good only in the list it came from, for the viewer it was given to." })
  cursor!: string;

  @Field(() => TransactionType)
  node!: TransactionType;
}

@ObjectType('TransactionConnection', { description: 'Newest first.' })
export class TransactionConnectionType {
  @Field(() => [TransactionEdgeType])
  edges!: TransactionEdgeType[];

  @Field(() => PageInfoType)
  pageInfo!: PageInfoType;
}

@InputType()
export class TransactionFilter {
  @Field(() => [TransactionTypeEnum], { nullable: true })
  types?: TransactionTypeEnum[] | null;

  @Field(() => [TransactionStatusEnum], { nullable: true })
  statuses?: TransactionStatusEnum[] | null;

  @Field(() => ID, { nullable: true })
  walletId?: string | null;

  @Field(() => ID, { nullable: true })
  cardId?: string | null;

  @Field(() => DateTimeScalar, { nullable: true, description: 'Inclusive.' })
  from?: Date | null;

  @Field(() => DateTimeScalar, { nullable: true, description: 'Exclusive.' })
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
