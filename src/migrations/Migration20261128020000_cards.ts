import { Migration } from '@mikro-orm/migrations';

/**
 * Virtual cards. A card is a ledger account of its own (kind CARD, same id), loaded from a
 * wallet. Only the issuer's id, brand, last four digits and expiry are stored: never a full
 * number or CVV (money rule 10).
 */
export class Migration20261128020000_cards extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table "cards" (
        "id" uuid primary key references "ledger_accounts" ("id"),
        "user_id" uuid not null references "users" ("id"),
        "wallet_id" uuid not null references "ledger_accounts" ("id"),
        "issuer" text not null,
        "issuer_card_id" text not null,
        "brand" text not null,
        "last4" text not null check ("last4" ~ '^[0-9]{4}$'),
        "exp_month" smallint not null check ("exp_month" between 1 and 12),
        "exp_year" smallint not null,
        "label" text null,
        "status" text not null check ("status" in ('ACTIVE', 'FROZEN', 'TERMINATED')),
        "spending_limit_amount" bigint null check ("spending_limit_amount" > 0),
        "spending_limit_interval" text null
          check ("spending_limit_interval" in ('PER_AUTHORIZATION', 'DAILY', 'WEEKLY', 'MONTHLY', 'ALL_TIME')),
        "version" integer not null default 0,
        "created_at" timestamptz not null default now(),
        "updated_at" timestamptz not null default now(),
        constraint "cards_issuer_card_unique" unique ("issuer", "issuer_card_id"),
        constraint "cards_limit_whole" check (("spending_limit_amount" is null) = ("spending_limit_interval" is null))
      );`);
    this.addSql(`create index "cards_user" on "cards" ("user_id", "created_at");`);

    this.addSql(`
      create table "card_authorizations" (
        "id" uuid primary key,
        "card_id" uuid not null references "cards" ("id"),
        "issuer_authorization_id" text not null,
        "status" text not null check ("status" in ('PENDING', 'CLOSED', 'REVERSED', 'DECLINED')),
        "amount" bigint not null check ("amount" > 0),
        "captured" bigint not null default 0,
        "transfer_id" uuid null references "ledger_transfers" ("id"),
        "transaction_id" uuid not null references "transactions" ("id"),
        "created_at" timestamptz not null default now(),
        "updated_at" timestamptz not null default now(),
        constraint "card_authorizations_issuer_unique" unique ("card_id", "issuer_authorization_id")
      );`);

    this.addSql(`
      create table "card_reveal_tokens" (
        "token_hash" text primary key,
        "card_id" uuid not null references "cards" ("id"),
        "expires_at" timestamptz not null,
        "used_at" timestamptz null
      );`);
  }

  override async down(): Promise<void> {
    this.addSql('drop table if exists "card_reveal_tokens";');
    this.addSql('drop table if exists "card_authorizations";');
    this.addSql('drop table if exists "cards";');
  }
}
