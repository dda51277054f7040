import type { EntityManager } from '@mikro-orm/postgresql';
import { TransactionRepository, type FlagRule } from '../transactions/transaction.repository.js';
import { WalletError, WalletException } from '../wallets/wallets.errors.js';
import { MonitoringRepository } from './monitoring.repository.js';

export type { FlagRule } from '../transactions/transaction.repository.js';

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
 * Limits that block (LIMIT_EXCEEDED) and rules that only flag for an ADMIN. Limits are
 * checked inside the movement's transaction, after its accounts are locked, by outflow_limit
 * in PostgreSQL: the day's outflow is summed under a lock per user and currency that every
 * kind of outflow takes, so concurrent movements (a card purchase beside a transfer, say)
 * cannot pass the daily limit together. Transfers between wallets call the same function
 * inside wallet_transfer, which also applies the transfer flag rules (burst, unusual amount,
 * new recipient).
 */
export class MonitoringService {
  private readonly repo = new MonitoringRepository();
  private readonly transactions = new TransactionRepository();

  constructor(readonly settings: MonitoringSettings) {}

  /**
   * Refuses (LIMIT_EXCEEDED, with the limit in `extensions`) an outflow the limits forbid. The
   * rule is PostgreSQL's outflow_limit (src/db/functions/outflow_limit.v1.sql), the one that
   * wallet_transfer applies too; it takes the user's outflow lock for the currency, held until
   * the caller commits.
   */
  async checkLimits(tx: EntityManager, userId: string, currency: string, amount: bigint): Promise<void> {
    const refusal = await this.repo.outflowRefusal(tx, userId, currency, amount, {
      max: this.settings.maxTransaction[currency] ?? null,
      daily: this.settings.dailyOutflow[currency] ?? null,
    });
    if (refusal) throw new WalletException(WalletError.LimitExceeded, refusal);
  }

  async flag(tx: EntityManager, transactionId: string, rule: FlagRule, details: Record<string, unknown>): Promise<void> {
    await this.transactions.flag(tx, transactionId, rule, details);
  }
}
