import { Migration } from '@mikro-orm/migrations';

/**
 * History pages (issue 6, B6): with `seq` indexed on its own, PostgreSQL may answer
 * `where user_id = ? order by seq desc limit ?` by walking every user's rows backwards and
 * filtering (at 1,000,000 rows, half the table for a heavy user whose newest rows are old)
 * instead of using transactions_user_page. `seq` stays unique without the constraint: it is
 * `generated always as identity`.
 */
export class Migration20261128040000_history_plan extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "transactions" drop constraint "transactions_seq_key";`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "transactions" add constraint "transactions_seq_key" unique ("seq");`);
  }
}
