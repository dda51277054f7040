import { Migration } from '@mikro-orm/migrations';

/**
 * Account recovery (verified emails, password reset, email change) and the mail outbox.
 * - `users.email_verified_at`: when the address was proven; accounts made before stay unverified.
 * - `account_tokens`: single-use tokens mailed to a person, stored as SHA-256 hashes only; a
 *   6-digit code beside the link for the two that verify an address.
 * - `mail_outbox`: mail to send, written in the transaction of the change that caused it and sent
 *   by the mail worker (src/domain/mail). Bodies are rendered when sent, so no token rests here.
 * - `dev_mailbox`: what was "sent" without SMTP_URL, readable at /dev/mailbox (never in production).
 */
export class Migration20261207000000_account_recovery extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "users" add column "email_verified_at" timestamptz null;`);
    this.addSql(`create table "account_tokens" (
      "id" uuid not null primary key,
      "user_id" uuid not null references "users" ("id") on delete cascade,
      "purpose" text not null check ("purpose" in ('VERIFY_EMAIL', 'RESET_PASSWORD', 'CHANGE_EMAIL')),
      "email" text not null,
      "token_hash" text not null unique,
      "code_hash" text null,
      "code_attempts" int not null default 0,
      "created_at" timestamptz not null default now(),
      "expires_at" timestamptz not null,
      "used_at" timestamptz null
    );`);
    this.addSql(`create index "account_tokens_live_index" on "account_tokens" ("user_id", "purpose") where "used_at" is null;`);
    this.addSql(`create index "account_tokens_expires_at_index" on "account_tokens" ("expires_at");`);
    this.addSql(`create table "mail_outbox" (
      "id" uuid not null primary key,
      "kind" text not null,
      "user_id" uuid null references "users" ("id") on delete cascade,
      "to_address" text not null,
      "data" jsonb not null default '{}',
      "status" text not null default 'PENDING' check ("status" in ('PENDING', 'SENT', 'SKIPPED', 'FAILED')),
      "attempts" int not null default 0,
      "next_attempt_at" timestamptz not null default now(),
      "locked_until" timestamptz null,
      "last_error" text null,
      "message_id" text null,
      "created_at" timestamptz not null default now(),
      "sent_at" timestamptz null
    );`);
    this.addSql(`create index "mail_outbox_due_index" on "mail_outbox" ("next_attempt_at") where "status" = 'PENDING';`);
    this.addSql(`create index "mail_outbox_created_at_index" on "mail_outbox" ("created_at");`);
    this.addSql(`create table "dev_mailbox" (
      "id" uuid not null primary key,
      "outbox_id" uuid not null,
      "to_address" text not null,
      "subject" text not null,
      "text_body" text not null,
      "html_body" text not null,
      "created_at" timestamptz not null default now()
    );`);
  }

  override async down(): Promise<void> {
    this.addSql('drop table "dev_mailbox";');
    this.addSql('drop table "mail_outbox";');
    this.addSql('drop table "account_tokens";');
    this.addSql('alter table "users" drop column "email_verified_at";');
  }
}
