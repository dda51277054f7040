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

/**
 * A sender's outgoing transfers before this one: how many within the burst window, the sum
 * and count of their last 20 outgoing amounts in the currency, and how many went to this
 * recipient before.
 */
export interface TransferStats {
  recent: number;
  usualSum: string;
  usualCount: number;
  toRecipient: number;
}

export type FlagRule = 'BURST' | 'UNUSUAL_AMOUNT' | 'NEW_RECIPIENT' | 'DEPOSIT_AMOUNT_MISMATCH' | 'CARD_RECEIVABLE';

/** Outgoing movements that count against limits. */
const OUTFLOW_TYPES = `('TRANSFER', 'WITHDRAWAL', 'CARD_PURCHASE')`;

/**
 * Limits that block (LIMIT_EXCEEDED) and rules that only flag for an ADMIN. Limits are
 * checked inside the movement's transaction, after its accounts are locked, so concurrent
 * movements cannot pass a daily limit together.
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
    const [row] = await tx.execute<{ total: string }[]>(
      `select coalesce(sum(amount), 0) as total from transactions
       where user_id = ? and currency = ? and direction = 'DEBIT' and type in ${OUTFLOW_TYPES}
         and status in ('PENDING', 'COMPLETED') and created_at >= date_trunc('day', now() at time zone 'utc') at time zone 'utc'`,
      [userId, currency],
    );
    if (BigInt(row.total) + amount > daily) {
      throw new WalletException(WalletError.LimitExceeded, {
        limit: 'DAILY_OUTFLOW',
        max: daily.toString(),
        usedToday: row.total,
      });
    }
  }

  /**
   * Rules that flag an outgoing transfer (already written) without blocking it, decided from
   * figures read inside its transaction (the wallet_transfer function's `stats`).
   */
  async reviewTransfer(
    tx: EntityManager,
    t: { id: string; currency: string; amount: bigint },
    stats: TransferStats,
  ): Promise<FlagRule[]> {
    const flags: { rule: FlagRule; details: Record<string, unknown> }[] = [];
    if (stats.recent >= this.settings.burstCount) {
      flags.push({ rule: 'BURST', details: { count: stats.recent, windowSeconds: this.settings.burstWindowSeconds } });
    }
    // amount > factor × average, in exact integers: amount × count > factor × sum.
    const count = BigInt(stats.usualCount);
    const sum = BigInt(stats.usualSum);
    if (count > 0n && t.amount * count > BigInt(this.settings.unusualFactor) * sum) {
      flags.push({ rule: 'UNUSUAL_AMOUNT', details: { amount: t.amount.toString(), usual: (sum / count).toString() } });
    }
    const threshold = this.settings.newRecipientThreshold[t.currency];
    if (stats.toRecipient === 0 && threshold !== undefined && t.amount > threshold) {
      flags.push({ rule: 'NEW_RECIPIENT', details: { amount: t.amount.toString(), threshold: threshold.toString() } });
    }
    for (const f of flags) await this.flag(tx, t.id, f.rule, f.details);
    return flags.map((f) => f.rule);
  }

  async flag(tx: EntityManager, transactionId: string, rule: FlagRule, details: Record<string, unknown>): Promise<void> {
    await tx.execute(
      `insert into transaction_flags (id, transaction_id, rule, details) values (?, ?, ?, ?::jsonb)
       on conflict (transaction_id, rule) do nothing`,
      [randomUUID(), transactionId, rule, JSON.stringify(details)],
    );
  }
}
