import { Migration } from '@mikro-orm/migrations';

export class Migration20261128000000_auth extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table "currencies" (
        "code" text primary key,
        "name" text not null,
        "exponent" smallint not null check ("exponent" between 0 and 4),
        "symbol" text not null
      );`);
    this.addSql(`
      insert into "currencies" ("code", "name", "exponent", "symbol") values
        ('NGN', 'Nigerian Naira', 2, '₦'),
        ('USD', 'US Dollar', 2, '$'),
        ('GHS', 'Ghanaian Cedi', 2, 'GH₵'),
        ('KES', 'Kenyan Shilling', 2, 'KSh'),
        ('ZAR', 'South African Rand', 2, 'R'),
        ('GBP', 'Pound Sterling', 2, '£'),
        ('EUR', 'Euro', 2, '€');`);
    this.addSql(`
      create table "users" (
        "id" uuid primary key,
        "email" text not null,
        "password_hash" text not null,
        "full_name" text not null,
        "role" text not null default 'USER' check ("role" in ('USER', 'ADMIN')),
        "created_at" timestamptz not null default now(),
        "updated_at" timestamptz not null default now(),
        constraint "users_email_unique" unique ("email"),
        constraint "users_email_normalized" check ("email" = lower(btrim("email")))
      );`);
    this.addSql(`
      create table "auth_sessions" (
        "id" uuid primary key,
        "user_id" uuid not null references "users" ("id") on delete cascade,
        "created_at" timestamptz not null default now(),
        "revoked_at" timestamptz null,
        "revoked_reason" text null,
        "user_agent" text null,
        "ip" text null
      );`);
    this.addSql(`create index "auth_sessions_user_id_index" on "auth_sessions" ("user_id");`);
    this.addSql(`create index "auth_sessions_revoked_at_index" on "auth_sessions" ("revoked_at") where "revoked_at" is not null;`);
    this.addSql(`
      create table "refresh_tokens" (
        "id" uuid primary key,
        "session_id" uuid not null references "auth_sessions" ("id") on delete cascade,
        "token_hash" text not null,
        "created_at" timestamptz not null default now(),
        "expires_at" timestamptz not null,
        "used_at" timestamptz null,
        constraint "refresh_tokens_token_hash_unique" unique ("token_hash")
      );`);
    this.addSql(`create index "refresh_tokens_session_id_index" on "refresh_tokens" ("session_id");`);
  }

  override async down(): Promise<void> {
    this.addSql('drop table if exists "refresh_tokens";');
    this.addSql('drop table if exists "auth_sessions";');
    this.addSql('drop table if exists "users";');
    this.addSql('drop table if exists "currencies";');
  }
}
