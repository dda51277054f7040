import { Migration } from '@mikro-orm/migrations';

/** The largest amount MinorUnits can show: 18 digits (src/schema/scalars/minor-units.scalar.ts). */
const MAX = '999999999999999999';

/** Every stored amount and every ledger counter, with the constraint that keeps it showable. */
const BOUNDED: Array<[table: string, columns: string[]]> = [
  ['ledger_accounts', ['debits_posted', 'credits_posted', 'debits_pending', 'credits_pending']],
  ['ledger_transfers', ['amount']],
  ['transactions', ['amount']],
  ['payments', ['amount']],
  ['card_authorizations', ['amount', 'captured']],
  ['cards', ['spending_limit_amount']],
];

/**
 * Issue 14: no stored amount may grow past what the API can show (MinorUnits: 18 digits). Caps
 * on deposits and balances keep users far below it; these constraints make it a rule of the
 * database, so a movement that would cross it fails whole instead of leaving a balance no one
 * can read.
 */
export class Migration20261206040000_representable_amounts extends Migration {
  override async up(): Promise<void> {
    for (const [table, columns] of BOUNDED) {
      const check = columns.map((c) => `"${c}" <= ${MAX}`).join(' and ');
      this.addSql(`alter table "${table}" add constraint "${table}_representable" check (${check});`);
    }
  }

  override async down(): Promise<void> {
    for (const [table] of BOUNDED) this.addSql(`alter table "${table}" drop constraint "${table}_representable";`);
  }
}
