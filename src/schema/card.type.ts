import { Directive, Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import type { Card } from '../domain/cards/card.repository.js';
import { CurrencyCode } from '../domain/currencies/currency.service.js';
import { DateTimeScalar } from './scalars/date-time.scalar.js';
import { MinorUnitsScalar } from './scalars/minor-units.scalar.js';
import { TransactionType } from './transaction.type.js';
import { WalletType } from './wallet.type.js';
import { IDEMPOTENCY_KEY } from './descriptions.js';

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
registerEnumType(CardStatusEnum, {
  name: 'CardStatus',
  description: 'Whether a card can be used.',
  valuesConfig: {
    ACTIVE: { description: 'Purchases are authorized; it can be funded and withdrawn from.' },
    FROZEN: { description: 'Purchases are declined and funding is refused; withdrawing still works. unfreezeCard makes it ACTIVE.' },
    TERMINATED: { description: 'Final: its available balance went back to the wallet (pending holds follow as they settle).' },
  },
});
registerEnumType(SpendingIntervalEnum, {
  name: 'SpendingInterval',
  description: 'The period over which a spending limit adds up purchases (held or captured), in UTC.',
  valuesConfig: {
    PER_AUTHORIZATION: { description: 'Each purchase on its own.' },
    DAILY: { description: 'Since midnight UTC.' },
    WEEKLY: { description: 'Since Monday, midnight UTC.' },
    MONTHLY: { description: 'Since the first of the month, midnight UTC.' },
    ALL_TIME: { description: 'Since the card was created.' },
  },
});

@ObjectType('SpendingLimit', {
  description: 'The most a card may spend per interval; a purchase that would pass it is declined (a FAILED row).',
})
export class SpendingLimitType {
  @Field(() => MinorUnitsScalar, { description: "Minor units of the card's currency." })
  amount!: bigint;

  @Field(() => SpendingIntervalEnum, { description: 'The period the amount covers.' })
  interval!: SpendingIntervalEnum;
}

/** balance, availableBalance, wallet and transactions are resolved in CardResolver. */
@Directive('@cacheControl(scope: PRIVATE)')
@ObjectType('Card', {
  description:
    'A virtual card. Only the brand, last four digits and expiry are ever stored or\nserved: the full number and CVV stay with the issuer.',
})
export class CardType {
  @Field(() => ID, { description: "The card's id." })
  id!: string;

  @Field(() => String, { description: 'Issuer that holds the card: sandbox, stripe or flutterwave.' })
  provider!: string;

  @Field(() => String, { description: 'The card network as the issuer names it, e.g. VISA.' })
  brand!: string;

  @Field(() => String, { description: 'The last four digits of the card number.' })
  last4!: string;

  @Field(() => Int, { description: 'Expiry month, 1 to 12.' })
  expMonth!: number;

  @Field(() => Int, { description: 'Expiry year, four digits.' })
  expYear!: number;

  @Field(() => CurrencyCode, { description: "Its wallet's currency." })
  currency!: CurrencyCode;

  @Field(() => String, { nullable: true, description: "The owner's name for it; null when none was given." })
  label?: string | null;

  @Field(() => CardStatusEnum, { description: 'Whether it can be used.' })
  status!: CardStatusEnum;

  @Field(() => SpendingLimitType, { nullable: true, description: 'Null when the card has no limit.' })
  spendingLimit?: SpendingLimitType | null;

  @Field(() => Int, { description: "Grows by one with every change of this card's status, limit or balance." })
  version!: number;

  @Field(() => DateTimeScalar, { description: 'When it was issued.' })
  createdAt!: Date;

  @Field(() => DateTimeScalar, { description: 'When its status, limit or balance last changed.' })
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

@InputType({ description: 'A spending limit to set on a card.' })
export class SpendingLimitInput {
  @Field(() => MinorUnitsScalar, { description: "Minor units of the card's currency." })
  amount!: bigint;

  @Field(() => SpendingIntervalEnum, { description: 'The period the amount covers.' })
  interval!: SpendingIntervalEnum;
}

@InputType({ description: "A cardholder's billing address." })
export class AddressInput {
  @Field(() => String, { description: 'Street and number.' })
  line1!: string;

  @Field(() => String, { nullable: true, description: 'Apartment, suite or building, if any.' })
  line2?: string | null;

  @Field(() => String, { description: 'City or town.' })
  city!: string;

  @Field(() => String, { nullable: true, description: 'State, county or province, if any.' })
  state?: string | null;

  @Field(() => String, { description: 'Postal or ZIP code.' })
  postalCode!: string;

  @Field(() => String, { description: 'ISO 3166-1 alpha-2.' })
  country!: string;
}

@InputType({ description: "A new virtual card on one of the viewer's wallets." })
export class CreateCardInput {
  @Field(() => ID, { description: "One of the viewer's wallets: it funds the card, which takes its currency." })
  walletId!: string;

  @Field(() => String, { nullable: true, description: "The owner's name for the card, at most 64 characters." })
  label?: string | null;

  @Field(() => AddressInput, { nullable: true, description: 'Required by issuers that need a cardholder address (Stripe).' })
  billingAddress?: AddressInput | null;

  @Field(() => SpendingLimitInput, { nullable: true, description: 'A limit on purchases; none when omitted.' })
  spendingLimit?: SpendingLimitInput | null;

  @Field(() => MinorUnitsScalar, { nullable: true, description: 'Optional first load, moved from the wallet onto the card.' })
  initialAmount?: bigint | null;

  @Field(() => String, { description: IDEMPOTENCY_KEY })
  idempotencyKey!: string;
}

@InputType({ description: 'An amount to move between a card and its wallet.' })
export class CardAmountInput {
  @Field(() => ID, { description: "One of the viewer's cards." })
  cardId!: string;

  @Field(() => MinorUnitsScalar, { description: "Minor units of the card's currency." })
  amount!: bigint;

  @Field(() => String, { description: IDEMPOTENCY_KEY })
  idempotencyKey!: string;
}

@InputType({ description: "Names one of the viewer's cards." })
export class CardInput {
  @Field(() => ID, { description: "One of the viewer's cards; any other id is NOT_FOUND." })
  cardId!: string;
}

@InputType({ description: "A card's new spending limit." })
export class SetCardSpendingLimitInput {
  @Field(() => ID, { description: "One of the viewer's cards." })
  cardId!: string;

  @Field(() => SpendingLimitInput, { nullable: true, description: 'Null removes the limit.' })
  limit?: SpendingLimitInput | null;
}

@InputType({ description: 'The card whose details to show.' })
export class RevealCardInput {
  @Field(() => ID, { description: "One of the viewer's cards." })
  cardId!: string;

  @Field(() => String, { nullable: true, description: 'Stripe Issuing Elements: the nonce Stripe.js made in the browser.' })
  nonce?: string | null;
}

@InputType({ description: 'A test purchase on a sandbox card.' })
export class SimulateCardPurchaseInput {
  @Field(() => ID, { description: "One of the viewer's sandbox cards." })
  cardId!: string;

  @Field(() => String, {
    nullable: true,
    description: 'Optional here: without one every call is a new purchase; with one, a repeat returns the first purchase.',
  })
  idempotencyKey?: string | null;

  @Field(() => MinorUnitsScalar, { description: "What the merchant charges, in minor units of the card's currency." })
  amount!: bigint;

  @Field(() => String, {
    description: 'Becomes the merchant and the description; DECLINE makes the issuer decline the purchase.',
  })
  merchantName!: string;

  @Field(() => String, { nullable: true, description: 'e.g. grocery.' })
  merchantCategory?: string | null;

  @Field(() => String, { nullable: true, description: 'e.g. NG.' })
  merchantCountry?: string | null;
}

@ObjectType({ description: 'The result of createCard.' })
export class CreateCardPayload {
  @Field(() => CardType, { description: 'The new card, ACTIVE.' })
  card!: CardType;

  @Field(() => TransactionType, { nullable: true, description: 'The first load, when initialAmount was given.' })
  fundingTransaction?: TransactionType | null;
}

@ObjectType({ description: 'The result of a mutation on one card.' })
export class CardPayload {
  @Field(() => CardType, { description: 'The card as it is now.' })
  card!: CardType;
}

@ObjectType({
  description:
    "How to show a card's full number and CVV to its owner without them passing through this\nAPI: a short-lived page of the issuer (or of the sandbox), or a Stripe ephemeral key for\nIssuing Elements.",
})
export class CardRevealPayload {
  @Field(() => String, {
    nullable: true,
    description: 'A page that shows the number and CVV (the sandbox: once, for two minutes); null for Stripe cards.',
  })
  url?: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'For Stripe Issuing Elements, with the nonce given; null for other issuers.',
  })
  ephemeralKeySecret?: string | null;

  @Field(() => DateTimeScalar, { description: 'When the page or key stops working.' })
  expiresAt!: Date;
}

@ObjectType({ description: 'The result of simulateCardPurchase.' })
export class SimulateCardPurchasePayload {
  @Field(() => TransactionType, { description: 'COMPLETED when approved, FAILED with failureReason when declined.' })
  transaction!: TransactionType;

  @Field(() => CardType, { description: 'The card after the purchase.' })
  card!: CardType;
}

@ObjectType({ description: 'The result of fundCard or withdrawFromCard.' })
export class CardMoneyPayload {
  @Field(() => TransactionType, { description: "The card's side of the movement." })
  transaction!: TransactionType;

  @Field(() => CardType, { description: 'The card after the movement.' })
  card!: CardType;

  @Field(() => WalletType, { description: "The card's wallet after the movement." })
  wallet!: WalletType;
}
