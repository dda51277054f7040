import { Migration } from '@mikro-orm/migrations';

/** The retention job (src/domain/retention) finds old rows by these columns. */
export class Migration20261206050000_retention_indexes extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create index "refresh_tokens_expires_at_index" on "refresh_tokens" ("expires_at");`);
    this.addSql(`create index "webhook_events_received_at_index" on "webhook_events" ("received_at");`);
    this.addSql(`create index "auth_sessions_created_at_index" on "auth_sessions" ("created_at");`);
  }

  override async down(): Promise<void> {
    this.addSql('drop index "auth_sessions_created_at_index";');
    this.addSql('drop index "webhook_events_received_at_index";');
    this.addSql('drop index "refresh_tokens_expires_at_index";');
  }
}
