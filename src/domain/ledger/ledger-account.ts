/**
 * A ledger account as the ledger keeps it: its own module, so that what reads accounts (the
 * bookkeeping of changed work, the card types) needs no import of the ledger service.
 */

export type AccountKind = 'WALLET' | 'CARD' | 'SETTLEMENT' | 'FEES' | 'CARD_ISSUING' | 'CARD_RECEIVABLE';

export interface LedgerAccount {
  id: string;
  kind: AccountKind;
  userId: string | null;
  currency: string;
  debitsPosted: bigint;
  creditsPosted: bigint;
  debitsPending: bigint;
  creditsPending: bigint;
  version: number;
  createdAt: Date;
  updatedAt: Date;
}
