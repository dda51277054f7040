import { Migration } from '@mikro-orm/migrations';

/**
 * Nothing looks ledger transfers up by `reference` (movements are found through their
 * user-facing rows, `transactions.reference` and `transactions.transfer_id`, which stay
 * indexed), and every transfer paid for the index (issue 6).
 */
export class Migration20261128070000_ledger_reference_index extends Migration {
  override async up(): Promise<void> {
    this.addSql(`drop index if exists "ledger_transfers_reference";`);
  }

  override async down(): Promise<void> {
    this.addSql(`create index "ledger_transfers_reference" on "ledger_transfers" ("reference");`);
  }
}
