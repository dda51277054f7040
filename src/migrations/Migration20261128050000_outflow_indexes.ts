import { Migration } from '@mikro-orm/migrations';

/**
 * Limits and monitoring read a user's recent outgoing rows on every movement (the day's
 * outflow, the transfers of the burst window, whether a recipient is new). Through
 * transactions_user_page those reads walked all of the user's history, so a transfer got
 * slower with every transfer its sender had made (issue 6, B2: pgbench calling
 * wallet_transfer alone reached ~440 tps). These partial indexes bound each read to the rows
 * it needs: today's or the window's outgoing rows, and one row for "sent to them before".
 */
export class Migration20261128050000_outflow_indexes extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create index "transactions_outflow" on "transactions" ("user_id", "created_at")
      include ("amount", "currency", "type", "status") where "direction" = 'DEBIT';`);
    this.addSql(`create index "transactions_sent_to" on "transactions" ("user_id", "counterparty_user_id")
      where "type" = 'TRANSFER' and "direction" = 'DEBIT';`);
  }

  override async down(): Promise<void> {
    this.addSql('drop index if exists "transactions_sent_to";');
    this.addSql('drop index if exists "transactions_outflow";');
  }
}
