import { Directive, Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import type { Card } from '../domain/cards/card.repository.js';
import { CurrencyCode } from '../domain/currencies/currency.service.js';
import { DateTimeScalar } from './scalars/date-time.scalar.js';
import { MinorUnitsScalar } from './scalars/minor-units.scalar.js';
import { TransactionType } from './transaction.type.js';
import { WalletType } from './wallet.type.js';

export enum CardStatusEnum {
  ACTIVE = 'ACTIVE',
  FROZEN = 'FROZEN',
  TERMINATED = 'TERMINATED',
}
export enum SpendingIntervalEnum {
  PER_AUTHORIZATION = 'PER_AUTHORIZATION',
  DAILY = 'DAILY',
  WEEKLY = 'WEEKLY',
  MONTHLY = 'MONTHLY',
  ALL_TIME = 'ALL_TIME',
}
registerEnumType(CardStatusEnum, { name: 'CardStatus' });
registerEnumType(SpendingIntervalEnum, { name: 'SpendingInterval' });

@ObjectType('SpendingLimit')
export class SpendingLimitType {
  @Field(() => MinorUnitsScalar)
  amount!: bigint;

  @Field(() => SpendingIntervalEnum)
  interval!: SpendingIntervalEnum;
}

/** balance, availableBalance, wallet and transactions are resolved in CardResolver. */
@Directive('@cacheControl(scope: PRIVATE)')
@ObjectType('Card', {
  description:
    'A virtual card. Only the brand, last four digits and expiry are ever stored or\nserved: the full number and CVV stay with the issuer.',
})
export class CardType {
  @Field(() => ID)
  id!: string;

  @Field(() => String, { description: 'Issuer that holds the card: sandbox, stripe or flutterwave.' })
  provider!: string;

  @Field(() => String)
  brand!: string;

  @Field(() => String)
  last4!: string;

  @Field(() => Int)
  expMonth!: number;

  @Field(() => Int)
  expYear!: number;

  @Field(() => CurrencyCode)
  currency!: CurrencyCode;

  @Field(() => String, { nullable: true })
  label?: string | null;

  @Field(() => CardStatusEnum)
  status!: CardStatusEnum;

  @Field(() => SpendingLimitType, { nullable: true })
  spendingLimit?: SpendingLimitType | null;

  @Field(() => Int, { description: "Grows by one with every change of this card's status, limit or balance." })
  version!: number;

  @Field(() => DateTimeScalar)
  createdAt!: Date;

  @Field(() => DateTimeScalar)
  updatedAt!: Date;

  card!: Card;

  static from(card: Card): CardType {
    return Object.assign(new CardType(), {
      id: card.id,
      provider: card.issuer,
      brand: card.brand,
      last4: card.last4,
      expMonth: card.expMonth,
      expYear: card.expYear,
      currency: card.account.currency as CurrencyCode,
      label: card.label,
      status: card.status as CardStatusEnum,
      spendingLimit: card.spendingLimit
        ? { amount: card.spendingLimit.amount, interval: card.spendingLimit.interval as SpendingIntervalEnum }
        : null,
      version: card.version,
      createdAt: card.createdAt,
      updatedAt: card.updatedAt,
      card,
    });
  }
}

@InputType()
export class SpendingLimitInput {
  @Field(() => MinorUnitsScalar)
  amount!: bigint;

  @Field(() => SpendingIntervalEnum)
  interval!: SpendingIntervalEnum;
}

@InputType()
export class AddressInput {
  @Field(() => String)
  line1!: string;

  @Field(() => String, { nullable: true })
  line2?: string | null;

  @Field(() => String)
  city!: string;

  @Field(() => String, { nullable: true })
  state?: string | null;

  @Field(() => String)
  postalCode!: string;

  @Field(() => String, { description: 'ISO 3166-1 alpha-2.' })
  country!: string;
}

@InputType()
export class CreateCardInput {
  @Field(() => ID)
  walletId!: string;

  @Field(() => String, { nullable: true })
  label?: string | null;

  @Field(() => AddressInput, { nullable: true, description: 'Required by issuers that need a cardholder address (Stripe).' })
  billingAddress?: AddressInput | null;

  @Field(() => SpendingLimitInput, { nullable: true })
  spendingLimit?: SpendingLimitInput | null;

  @Field(() => MinorUnitsScalar, { nullable: true, description: 'Optional first load, moved from the wallet onto the card.' })
  initialAmount?: bigint | null;

  @Field(() => String)
  idempotencyKey!: string;
}

@InputType()
export class CardAmountInput {
  @Field(() => ID)
  cardId!: string;

  @Field(() => MinorUnitsScalar)
  amount!: bigint;

  @Field(() => String)
  idempotencyKey!: string;
}

@InputType()
export class CardInput {
  @Field(() => ID)
  cardId!: string;
}

@InputType()
export class SetCardSpendingLimitInput {
  @Field(() => ID)
  cardId!: string;

  @Field(() => SpendingLimitInput, { nullable: true, description: 'Null removes the limit.' })
  limit?: SpendingLimitInput | null;
}

@InputType()
export class RevealCardInput {
  @Field(() => ID)
  cardId!: string;

  @Field(() => String, { nullable: true, description: 'Stripe Issuing Elements: the nonce Stripe.js made in the browser.' })
  nonce?: string | null;
}

@InputType()
export class SimulateCardPurchaseInput {
  @Field(() => ID)
  cardId!: string;

  @Field(() => String, { nullable: true })
  idempotencyKey?: string | null;

  @Field(() => MinorUnitsScalar)
  amount!: bigint;

  @Field(() => String)
  merchantName!: string;

  @Field(() => String, { nullable: true })
  merchantCategory?: string | null;

  @Field(() => String, { nullable: true })
  merchantCountry?: string | null;
}

@ObjectType()
export class CreateCardPayload {
  @Field(() => CardType)
  card!: CardType;

  @Field(() => TransactionType, { nullable: true, description: 'The first load, when initialAmount was given.' })
  fundingTransaction?: TransactionType | null;
}

@ObjectType()
export class CardPayload {
  @Field(() => CardType)
  card!: CardType;
}

@ObjectType({
  description:
    "How to show a card's full number and CVV to its owner without them passing through this\nAPI: a short-lived page of the issuer (or of the sandbox), or a Stripe ephemeral key for\nIssuing Elements.",
})
export class CardRevealPayload {
  @Field(() => String, { nullable: true })
  url?: string | null;

  @Field(() => String, { nullable: true })
  ephemeralKeySecret?: string | null;

  @Field(() => DateTimeScalar)
  expiresAt!: Date;
}

@ObjectType()
export class SimulateCardPurchasePayload {
  @Field(() => TransactionType, { description: 'COMPLETED when approved, FAILED with failureReason when declined.' })
  transaction!: TransactionType;

  @Field(() => CardType)
  card!: CardType;
}

@ObjectType()
export class CardMoneyPayload {
  @Field(() => TransactionType, { description: "The card's side of the movement." })
  transaction!: TransactionType;

  @Field(() => CardType)
  card!: CardType;

  @Field(() => WalletType)
  wallet!: WalletType;
}
