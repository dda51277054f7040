import { Migration } from '@mikro-orm/migrations';

/**
 * Every ledger transfer and user-facing row of a currency used to check its foreign key to
 * that one `currencies` row, which takes a KEY SHARE lock on it: with concurrent movements
 * in one currency the row is locked by many transactions at once, and each new locker makes
 * PostgreSQL create a MultiXact (issue 6, B1/B2). Their currency is always their account's,
 * and `ledger_accounts.currency` keeps its foreign key; the code that writes these rows
 * (wallet_transfer, LedgerService.transfer, TransactionRepository.insert) takes it from the
 * account.
 */
export class Migration20261128060000_currency_row_locks extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "ledger_transfers" drop constraint "ledger_transfers_currency_fkey";`);
    this.addSql(`alter table "transactions" drop constraint "transactions_currency_fkey";`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "transactions" add constraint "transactions_currency_fkey" foreign key ("currency") references "currencies" ("code");`);
    this.addSql(`alter table "ledger_transfers" add constraint "ledger_transfers_currency_fkey" foreign key ("currency") references "currencies" ("code");`);
  }
}
