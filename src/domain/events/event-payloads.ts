import type { Card } from '../cards/card.repository.js';
import type { LedgerAccount } from '../ledger/ledger.service.js';

/**
 * What a wallet or card event carries: the state that one version stands for, as plain JSON
 * (amounts as strings, ISO dates). Subscribers show it as it is, never a row read later: a
 * later read may already show the next version, and that version's own event would repeat it.
 */
export interface AccountJson {
  id: string;
  kind: LedgerAccount['kind'];
  userId: string | null;
  currency: string;
  debitsPosted: string;
  creditsPosted: string;
  debitsPending: string;
  creditsPending: string;
  version: number;
  createdAt: string;
  updatedAt: string;
}

export interface CardJson extends Omit<Card, 'spendingLimit' | 'createdAt' | 'updatedAt' | 'account'> {
  spendingLimit: { amount: string; interval: NonNullable<Card['spendingLimit']>['interval'] } | null;
  createdAt: string;
  updatedAt: string;
  account: AccountJson;
}

export function accountToJson(a: LedgerAccount): AccountJson {
  return {
    ...a,
    debitsPosted: a.debitsPosted.toString(),
    creditsPosted: a.creditsPosted.toString(),
    debitsPending: a.debitsPending.toString(),
    creditsPending: a.creditsPending.toString(),
    createdAt: a.createdAt.toISOString(),
    updatedAt: a.updatedAt.toISOString(),
  };
}

export function accountFromJson(j: AccountJson): LedgerAccount {
  return {
    ...j,
    debitsPosted: BigInt(j.debitsPosted),
    creditsPosted: BigInt(j.creditsPosted),
    debitsPending: BigInt(j.debitsPending),
    creditsPending: BigInt(j.creditsPending),
    createdAt: new Date(j.createdAt),
    updatedAt: new Date(j.updatedAt),
  };
}

/** How the wallet read cache (src/cache/wallet-cache.ts) keeps an account: as its events carry it. */
export const accountCodec = {
  toJson: (a: LedgerAccount): string => JSON.stringify(accountToJson(a)),
  fromJson: (json: string): LedgerAccount => accountFromJson(JSON.parse(json) as AccountJson),
};

export function cardToJson(c: Card): CardJson {
  return {
    ...c,
    spendingLimit: c.spendingLimit ? { amount: c.spendingLimit.amount.toString(), interval: c.spendingLimit.interval } : null,
    createdAt: c.createdAt.toISOString(),
    updatedAt: c.updatedAt.toISOString(),
    account: accountToJson(c.account),
  };
}

export function cardFromJson(j: CardJson): Card {
  return {
    ...j,
    spendingLimit: j.spendingLimit ? { amount: BigInt(j.spendingLimit.amount), interval: j.spendingLimit.interval } : null,
    createdAt: new Date(j.createdAt),
    updatedAt: new Date(j.updatedAt),
    account: accountFromJson(j.account),
  };
}
