import { Migration } from '@mikro-orm/migrations';

/**
 * System accounts in shards (issue 19). Every deposit and withdrawal of a provider and currency
 * used to lock the one SETTLEMENT account (and FEES with it) until its transaction committed, so
 * they queued behind each other however many cores there were. A system account is now one of
 * several rows told apart by `shard`; a movement picks its shard from the user's wallet
 * (LedgerService.systemAccount), so movements of different users rarely wait for each other.
 * What the provider holds is the sum over the shards (`LedgerReport.systemAccounts`).
 *
 * The existing rows become shard 0, so nothing moves and every counter stays as it was.
 */
export class Migration20261207010000_settlement_shards extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "ledger_accounts" add column "shard" smallint not null default 0 check ("shard" >= 0);`);
    this.addSql(`drop index "ledger_accounts_system";`);
    this.addSql(
      `create unique index "ledger_accounts_system" on "ledger_accounts" ("kind", "provider", "currency", "shard") where "user_id" is null;`,
    );
  }

  override async down(): Promise<void> {
    // Refuses (duplicate key) while any shard but 0 exists: their money would have no home.
    this.addSql(`drop index "ledger_accounts_system";`);
    this.addSql(`create unique index "ledger_accounts_system" on "ledger_accounts" ("kind", "provider", "currency") where "user_id" is null;`);
    this.addSql(`alter table "ledger_accounts" drop column "shard";`);
  }
}
