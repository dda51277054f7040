/**
 * The card-issuing rail. One implementation per issuer, chosen by CARD_ISSUER. Only the
 * issuer's id, brand, last four digits and expiry ever leave it: never a full number or CVV.
 */
import type { Config } from '../config/config.js';

/** The issuers CARD_ISSUER may name (its schema in config.ts is the one list). */
export type CardIssuerName = Config['cards']['issuer'];

export interface IssueCardInput {
  /** Ours: the card's id (also its ledger account's). */
  cardId: string;
  /** Ours: the card owner's id (Stripe reuses one cardholder per user). */
  userId?: string;
  currency: string;
  cardholderName: string;
  email: string;
  billingAddress?: {
    line1: string;
    line2?: string | null;
    city: string;
    state?: string | null;
    postalCode: string;
    country: string;
  } | null;
}

export interface IssuedCard {
  issuerCardId: string;
  brand: string;
  last4: string;
  expMonth: number;
  expYear: number;
}

export type IssuerCardStatus = 'ACTIVE' | 'FROZEN' | 'TERMINATED';

export interface CardReveal {
  url?: string;
  ephemeralKeySecret?: string;
  expiresAt: Date;
}

/** An issuer's webhook event, normalized. Amounts in minor units of the card's currency. */
export type CardWebhookEvent =
  | {
      /** The issuer asks us to approve or decline (Stripe's issuing_authorization.request). */
      type: 'AUTHORIZATION_REQUEST' | 'AUTHORIZATION_CREATED';
      eventKey: string;
      issuerCardId: string;
      issuerAuthorizationId: string;
      amount: bigint;
      merchant: { name: string; category?: string | null; country?: string | null };
      /** The issuer decided already (created events, Flutterwave): record what it decided. */
      approvedByIssuer?: boolean;
    }
  | {
      /** Money captured: for an authorization we hold, or forced (no or smaller authorization). */
      type: 'CAPTURE';
      eventKey: string;
      issuerCardId: string;
      issuerAuthorizationId: string | null;
      amount: bigint;
      merchant: { name: string; category?: string | null; country?: string | null };
    }
  | { type: 'REVERSAL'; eventKey: string; issuerCardId: string; issuerAuthorizationId: string }
  | {
      type: 'REFUND';
      eventKey: string;
      issuerCardId: string;
      amount: bigint;
      merchant: { name: string; category?: string | null; country?: string | null };
    }
  | { type: 'IGNORED'; eventKey: string };

/** What an issuer needs from the owner beyond the common input, so the domain never asks for its name. */
export interface IssuerRequirements {
  /** A card is issued only with the holder's billing address (Stripe's cardholders need one). */
  readonly billingAddress: boolean;
  /** Card details are shown only to a client that sent a one-time nonce (Stripe's ephemeral keys). */
  readonly revealNonce: boolean;
}

export interface CardIssuer {
  readonly name: CardIssuerName;
  readonly requires: IssuerRequirements;
  /** Currencies it can issue cards in. */
  currencies(): readonly string[];
  /**
   * A new card. A clear refusal by the issuer is thrown as a ProviderError with `definite` (the
   * caller's input, BAD_USER_INPUT); anything else means it could not be reached.
   */
  issue(input: IssueCardInput): Promise<IssuedCard>;
  /** The issuer's status follows ours. */
  setStatus(issuerCardId: string, status: IssuerCardStatus): Promise<void>;
  /** How the owner sees the full number and CVV without them crossing our API. */
  reveal(card: { id: string; issuerCardId: string }, nonce?: string | null): Promise<CardReveal>;
  /**
   * Issuers with webhooks: verify the signature over the raw body (WebhookSignatureError from
   * payment-provider.ts when it fails) and normalize the event.
   */
  parseWebhook?(rawBody: Buffer, headers: Record<string, string | string[] | undefined>): CardWebhookEvent;
  /**
   * Issuers that keep the card balance themselves (Flutterwave) and decide authorizations on
   * it: CardService tells them about every load so our card account keeps mirroring theirs.
   * Both or neither. Amounts in minor units of the card's currency.
   */
  fund?(issuerCardId: string, amount: bigint, currency: string): Promise<void>;
  withdraw?(issuerCardId: string, amount: bigint, currency: string): Promise<void>;
  /** The HTTP answer to an AUTHORIZATION_REQUEST, in the issuer's own shape (Stripe: approved). */
  authorizationResponse?(approved: boolean): { status: number; headers?: Record<string, string>; body: unknown };
}

/** The issuer has no way to show card details without them crossing our API (Flutterwave). */
export class RevealUnsupportedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RevealUnsupportedError';
  }
}
