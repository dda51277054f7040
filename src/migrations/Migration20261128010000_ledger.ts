import { Migration } from '@mikro-orm/migrations';

/**
 * The double-entry ledger (TigerBeetle's model on PostgreSQL), the user-facing transaction
 * rows, idempotency records, provider payments, webhook deduplication, monitoring flags and
 * the audit log.
 */
export class Migration20261128010000_ledger extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table "ledger_accounts" (
        "id" uuid primary key,
        "kind" text not null check ("kind" in ('WALLET', 'CARD', 'SETTLEMENT', 'FEES', 'CARD_ISSUING', 'CARD_RECEIVABLE')),
        "user_id" uuid null references "users" ("id"),
        "provider" text null,
        "currency" text not null references "currencies" ("code"),
        "debits_posted" bigint not null default 0,
        "credits_posted" bigint not null default 0,
        "debits_pending" bigint not null default 0,
        "credits_pending" bigint not null default 0,
        "version" integer not null default 0,
        "created_at" timestamptz not null default now(),
        "updated_at" timestamptz not null default now(),
        constraint "ledger_accounts_counters_non_negative"
          check ("debits_posted" >= 0 and "credits_posted" >= 0 and "debits_pending" >= 0 and "credits_pending" >= 0),
        -- Users' wallets and cards are credit-normal and never go below zero (money rule 2).
        constraint "ledger_accounts_user_balance_non_negative"
          check ("kind" not in ('WALLET', 'CARD') or "credits_posted" - "debits_posted" - "debits_pending" >= 0),
        constraint "ledger_accounts_user_owned" check (("kind" in ('WALLET', 'CARD')) = ("user_id" is not null))
      );`);
    this.addSql(`create unique index "ledger_accounts_wallet_per_currency" on "ledger_accounts" ("user_id", "currency") where "kind" = 'WALLET';`);
    this.addSql(`create unique index "ledger_accounts_system" on "ledger_accounts" ("kind", "provider", "currency") where "user_id" is null;`);

    this.addSql(`
      create table "ledger_transfers" (
        "id" uuid primary key,
        "debit_account_id" uuid not null references "ledger_accounts" ("id"),
        "credit_account_id" uuid not null references "ledger_accounts" ("id"),
        "amount" bigint not null check ("amount" > 0),
        "currency" text not null references "currencies" ("code"),
        "status" text not null check ("status" in ('PENDING', 'POSTED', 'VOIDED')),
        "code" text not null,
        "reference" text not null,
        "created_at" timestamptz not null default now(),
        "resolved_at" timestamptz null,
        constraint "ledger_transfers_two_accounts" check ("debit_account_id" <> "credit_account_id")
      );`);
    this.addSql(`create index "ledger_transfers_debit_account" on "ledger_transfers" ("debit_account_id");`);
    this.addSql(`create index "ledger_transfers_credit_account" on "ledger_transfers" ("credit_account_id");`);
    this.addSql(`create index "ledger_transfers_reference" on "ledger_transfers" ("reference");`);

    this.addSql(`
      create table "transactions" (
        "id" uuid primary key,
        "seq" bigint generated always as identity unique,
        "user_id" uuid not null references "users" ("id"),
        "account_id" uuid not null references "ledger_accounts" ("id"),
        "transfer_id" uuid null references "ledger_transfers" ("id"),
        "type" text not null,
        "status" text not null check ("status" in ('PENDING', 'COMPLETED', 'FAILED', 'REVERSED')),
        "direction" text not null check ("direction" in ('CREDIT', 'DEBIT')),
        "amount" bigint not null check ("amount" > 0),
        "currency" text not null references "currencies" ("code"),
        "description" text null,
        "reference" text not null,
        "counterparty_user_id" uuid null references "users" ("id"),
        "merchant" jsonb null,
        "failure_reason" text null,
        "created_at" timestamptz not null default now(),
        "updated_at" timestamptz not null default now()
      );`);
    // Keyset pagination, newest first: per user and per account.
    this.addSql(`create index "transactions_user_page" on "transactions" ("user_id", "seq" desc);`);
    this.addSql(`create index "transactions_account_page" on "transactions" ("account_id", "seq" desc);`);
    this.addSql(`create index "transactions_reference" on "transactions" ("reference");`);
    this.addSql(`create index "transactions_transfer" on "transactions" ("transfer_id");`);

    this.addSql(`
      create table "idempotency_keys" (
        "user_id" uuid not null references "users" ("id"),
        "key" text not null check (length("key") between 1 and 255),
        "operation" text not null,
        "fingerprint" text not null,
        "result" jsonb null,
        "created_at" timestamptz not null default now(),
        primary key ("user_id", "key")
      );`);
    this.addSql(`create index "idempotency_keys_created_at" on "idempotency_keys" ("created_at");`);

    this.addSql(`
      create table "payments" (
        "id" uuid primary key,
        "reference" text not null unique,
        "kind" text not null check ("kind" in ('DEPOSIT', 'WITHDRAWAL')),
        "provider" text not null,
        "status" text not null check ("status" in ('PENDING', 'SUCCEEDED', 'FAILED', 'REVERSED')),
        "user_id" uuid not null references "users" ("id"),
        "account_id" uuid not null references "ledger_accounts" ("id"),
        "transaction_id" uuid not null references "transactions" ("id"),
        "transfer_id" uuid null references "ledger_transfers" ("id"),
        "amount" bigint not null check ("amount" > 0),
        "currency" text not null references "currencies" ("code"),
        "bank_code" text null,
        "account_number" text null,
        "account_name" text null,
        "provider_ref" text null,
        "checkout_url" text null,
        "failure_reason" text null,
        "due_at" timestamptz null,
        "expires_at" timestamptz null,
        "attempts" integer not null default 0,
        "created_at" timestamptz not null default now(),
        "updated_at" timestamptz not null default now()
      );`);
    // The settlement and recovery jobs look only at what is still open.
    this.addSql(`create index "payments_open" on "payments" ("due_at") where "status" = 'PENDING';`);

    // The built-in sandbox provider's own books: what a real provider would know.
    this.addSql(`
      create table "sandbox_payments" (
        "reference" text primary key,
        "kind" text not null check ("kind" in ('DEPOSIT', 'WITHDRAWAL')),
        "status" text not null check ("status" in ('PENDING', 'SUCCEEDED', 'FAILED')),
        "amount" bigint not null,
        "currency" text not null,
        "account_number" text null,
        "settle_at" timestamptz null,
        "created_at" timestamptz not null default now()
      );`);

    this.addSql(`
      create table "webhook_events" (
        "event_key" text primary key,
        "provider" text not null,
        "type" text not null,
        "reference" text not null,
        "outcome" text not null,
        "received_at" timestamptz not null default now()
      );`);

    this.addSql(`
      create table "transaction_flags" (
        "id" uuid primary key,
        "transaction_id" uuid not null references "transactions" ("id"),
        "rule" text not null,
        "details" jsonb not null default '{}',
        "created_at" timestamptz not null default now(),
        constraint "transaction_flags_once_per_rule" unique ("transaction_id", "rule")
      );`);
    this.addSql(`create index "transaction_flags_created" on "transaction_flags" ("created_at" desc, "id" desc);`);

    this.addSql(`
      create table "audit_log" (
        "id" bigint generated always as identity primary key,
        "user_id" uuid null,
        "action" text not null,
        "outcome" text not null,
        "request_id" text null,
        "ip" text null,
        "details" jsonb not null default '{}',
        "created_at" timestamptz not null default now()
      );`);
    this.addSql(`create index "audit_log_user" on "audit_log" ("user_id", "created_at" desc);`);
  }

  override async down(): Promise<void> {
    for (const table of [
      'sandbox_payments',
      'audit_log',
      'transaction_flags',
      'webhook_events',
      'payments',
      'idempotency_keys',
      'transactions',
      'ledger_transfers',
      'ledger_accounts',
    ]) {
      this.addSql(`drop table if exists "${table}";`);
    }
  }
}
