import { Migration } from '@mikro-orm/migrations';
import { functionSql } from '../db/functions.js';

/**
 * One home for the money rules the TypeScript paths and wallet_transfer both applied (issue 13):
 * - `post_movement` (src/db/functions/post_movement.v1.sql) moves money between two ledger
 *   accounts: the balance guard, the postings, the positive-amount check;
 * - `outflow_limit` (outflow_limit.v1.sql) decides the single-transaction and daily limits;
 * - `idempotency_claim` (idempotency_claim.v1.sql) claims a request's idempotency key.
 * LedgerService.transfer, MonitoringService.checkLimits and IdempotencyService.run (deposits,
 * withdrawals, card loads and purchases) and wallet_transfer (version 5) call them, and keep
 * no copy of their own.
 */
export class Migration20261206020000_money_primitives extends Migration {
  override async up(): Promise<void> {
    this.addSql(await functionSql('post_movement', 1));
    this.addSql(await functionSql('outflow_limit', 1));
    this.addSql(await functionSql('idempotency_claim', 1));
    this.addSql(await functionSql('wallet_transfer', 5));
  }

  override async down(): Promise<void> {
    this.addSql(await functionSql('wallet_transfer', 4));
    this.addSql('drop function idempotency_claim(uuid, text, text, text, jsonb);');
    this.addSql('drop function outflow_limit(uuid, text, bigint, bigint, bigint);');
    this.addSql('drop function post_movement(uuid, uuid, uuid, bigint, text, text, text, boolean);');
  }
}
