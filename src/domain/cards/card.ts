import type { LedgerAccount } from '../ledger/ledger-account.js';

/** The card types, in a module of their own: the ledger's bookkeeping reads them without the repository. */

export type CardStatus = 'ACTIVE' | 'FROZEN' | 'TERMINATED';
export type SpendingInterval = 'PER_AUTHORIZATION' | 'DAILY' | 'WEEKLY' | 'MONTHLY' | 'ALL_TIME';

/** A card and the ledger account (same id) that holds its money. */
export interface Card {
  id: string;
  userId: string;
  walletId: string;
  issuer: string;
  issuerCardId: string;
  brand: string;
  last4: string;
  expMonth: number;
  expYear: number;
  label: string | null;
  status: CardStatus;
  spendingLimit: { amount: bigint; interval: SpendingInterval } | null;
  /**
   * Its account's version: one step per committed change of status, limit, label or balance
   * (the card row's changes step the account too).
   */
  version: number;
  createdAt: Date;
  updatedAt: Date;
  account: LedgerAccount;
}

/** What the cards table holds of a card (its account aside). */
export type CardRow = Omit<Card, 'account' | 'version'>;

/** Who charged a card, as the issuer (or the sandbox's caller) tells it. */
export interface Merchant {
  name: string;
  category?: string | null;
  country?: string | null;
}
