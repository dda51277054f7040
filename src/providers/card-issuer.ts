/**
 * The card-issuing rail. One implementation per issuer, chosen by CARD_ISSUER. Only the
 * issuer's id, brand, last four digits and expiry ever leave it: never a full number or CVV.
 */

export type CardIssuerName = 'sandbox' | 'stripe' | 'flutterwave';

export interface IssueCardInput {
  /** Ours: the card's id (also its ledger account's). */
  cardId: string;
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

export interface CardIssuer {
  readonly name: CardIssuerName;
  /** Currencies it can issue cards in. */
  currencies(): readonly string[];
  issue(input: IssueCardInput): Promise<IssuedCard>;
  /** The issuer's status follows ours. */
  setStatus(issuerCardId: string, status: IssuerCardStatus): Promise<void>;
  /** How the owner sees the full number and CVV without them crossing our API. */
  reveal(card: { id: string; issuerCardId: string }, nonce?: string | null): Promise<CardReveal>;
}
