import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { WalletError, WalletException } from '../wallets/wallets.errors.js';

export interface MonitoringSettings {
  /** Largest single outgoing transaction, per currency, in minor units. */
  maxTransaction: Record<string, bigint>;
  /** Largest outflow per user per UTC day (holds included), per currency. */
  dailyOutflow: Record<string, bigint>;
  burstCount: number;
  burstWindowSeconds: number;
  /** An amount this many times the user's usual outgoing amount is flagged. */
  unusualFactor: number;
  /** A first transfer to a new recipient above this (per currency) is flagged. */
  newRecipientThreshold: Record<string, bigint>;
}

export type FlagRule = 'BURST' | 'UNUSUAL_AMOUNT' | 'NEW_RECIPIENT' | 'DEPOSIT_AMOUNT_MISMATCH' | 'CARD_RECEIVABLE';

/**
 * Limits that block (LIMIT_EXCEEDED) and rules that only flag for an ADMIN. Limits are
 * checked inside the movement's transaction, after its accounts are locked. The day's outflow
 * is summed by outflow_today in PostgreSQL under a lock per user and currency that every kind
 * of outflow takes, so concurrent movements (a card purchase beside a transfer, say) cannot
 * pass the daily limit together. Transfers between wallets apply the same settings inside
 * PostgreSQL (wallet_transfer), including the transfer flag rules (burst, unusual amount, new
 * recipient).
 */
export class MonitoringService {
  constructor(readonly settings: MonitoringSettings) {}

  async checkLimits(tx: EntityManager, userId: string, currency: string, amount: bigint): Promise<void> {
    const max = this.settings.maxTransaction[currency];
    if (max !== undefined && amount > max) {
      throw new WalletException(WalletError.LimitExceeded, { limit: 'MAX_TRANSACTION', max: max.toString() });
    }
    const daily = this.settings.dailyOutflow[currency];
    if (daily === undefined) return;
    // Under the user's outflow lock for this currency, held until the movement commits: the
    // same rule wallet_transfer applies (outflow_today, Migration20261206000000_outflow_lock).
    const [row] = await tx.execute<{ total: string }[]>('select outflow_today(?, ?)::text as total', [userId, currency]);
    if (BigInt(row.total) + amount > daily) {
      throw new WalletException(WalletError.LimitExceeded, {
        limit: 'DAILY_OUTFLOW',
        max: daily.toString(),
        usedToday: row.total,
      });
    }
  }

  async flag(tx: EntityManager, transactionId: string, rule: FlagRule, details: Record<string, unknown>): Promise<void> {
    await tx.execute(
      `insert into transaction_flags (id, transaction_id, rule, details) values (?, ?, ?, ?::jsonb)
       on conflict (transaction_id, rule) do nothing`,
      [randomUUID(), transactionId, rule, JSON.stringify(details)],
    );
  }
}
