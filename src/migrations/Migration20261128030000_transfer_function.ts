import { Migration } from '@mikro-orm/migrations';

/**
 * A transfer between two users' wallets in one round trip (issue 6: the transfer path sent
 * 25 statements, each a round trip through MikroORM, knex and pg; the Node process, not
 * PostgreSQL, was the limit). `wallet_transfer` does inside PostgreSQL what
 * src/domain/wallets/transfer.service.ts describes, in the same order and with the same
 * locks: the idempotency record, the sender's wallet, the recipient (and their wallet,
 * created when missing), both accounts locked in id order, the limits, the ledger postings,
 * the two user-facing rows, the monitoring flags and the audit row. Business refusals
 * (limits, funds) roll back to the block's implicit savepoint and are recorded on the key as
 * the answer to repeat; other errors are raised (SQLSTATE WA001) and undo everything, the
 * key included. It needs no transaction around it: called on its own, it commits when it
 * returns, so the wallets stay locked only while PostgreSQL works, never across a round trip.
 */
/** wallet_transfer as this migration created it (Migration20261128080000 replaces it; its down() restores this). */
export const WALLET_TRANSFER_V1 = `
      create or replace function wallet_transfer(
        p_user uuid, p_key text, p_fingerprint text,
        p_from uuid, p_email text, p_amount bigint, p_note text,
        p_rules jsonb, p_ids jsonb, p_request_id text, p_ip text
      ) returns jsonb language plpgsql as $fn$
      declare
        v_key idempotency_keys%rowtype;
        v_sender ledger_accounts%rowtype;
        v_debit_account ledger_accounts%rowtype;
        v_credit_account ledger_accounts%rowtype;
        v_debit transactions%rowtype;
        v_recipient uuid;
        v_wallet uuid;
        v_limit bigint;
        v_used bigint;
        v_detail text;
        v_recent bigint;
        v_usual_sum numeric;
        v_usual_count bigint;
        v_to_recipient bigint;
        v_result jsonb;
        v_transfer uuid := (p_ids->>'transfer')::uuid;
        v_debit_id uuid := (p_ids->>'debit')::uuid;
        v_credit_id uuid := (p_ids->>'credit')::uuid;
        v_reference text := p_ids->>'reference';
      begin
        -- A repeat waits for the first request with its key, at most 5 s (then 55P03).
        perform set_config('lock_timeout', '5s', true);
        insert into idempotency_keys (user_id, key, operation, fingerprint)
        values (p_user, p_key, 'transfer', p_fingerprint)
        on conflict (user_id, key) do nothing;
        if not found then
          select * into v_key from idempotency_keys where user_id = p_user and key = p_key;
          return jsonb_build_object('replay', jsonb_build_object(
            'found', v_key.user_id is not null, 'operation', v_key.operation,
            'fingerprint', v_key.fingerprint, 'result', v_key.result));
        end if;
        perform set_config('lock_timeout', '0', true);

        begin
          select * into v_sender from ledger_accounts where id = p_from and user_id = p_user and kind = 'WALLET';
          if not found then raise exception using errcode = 'WA001', message = 'WalletNotFound'; end if;
          if p_email is not null then
            select id into v_recipient from users where email = p_email;
          end if;
          if v_recipient is null then raise exception using errcode = 'WA001', message = 'RecipientNotFound'; end if;
          if v_recipient = p_user then raise exception using errcode = 'WA001', message = 'SelfTransfer'; end if;

          insert into ledger_accounts (id, kind, user_id, currency)
          values ((p_ids->>'wallet')::uuid, 'WALLET', v_recipient, v_sender.currency)
          on conflict (user_id, currency) where kind = 'WALLET' do nothing
          returning id into v_wallet;
          if v_wallet is null then
            select id into v_wallet from ledger_accounts
            where user_id = v_recipient and currency = v_sender.currency and kind = 'WALLET';
          end if;

          -- Both wallets locked in id order before any check: limits and balances are decided
          -- on rows nobody else can change, and opposite transfers never deadlock.
          perform 1 from ledger_accounts where id in (v_sender.id, v_wallet) order by id for update;

          v_limit := (p_rules->'maxTransaction'->>v_sender.currency)::bigint;
          if v_limit is not null and p_amount > v_limit then
            raise exception using errcode = 'WR001', message = 'LimitExceeded',
              detail = jsonb_build_object('limit', 'MAX_TRANSACTION', 'max', v_limit::text)::text;
          end if;
          v_limit := (p_rules->'dailyOutflow'->>v_sender.currency)::bigint;
          if v_limit is not null then
            select coalesce(sum(amount), 0) into v_used from transactions
            where user_id = p_user and currency = v_sender.currency and direction = 'DEBIT'
              and type in ('TRANSFER', 'WITHDRAWAL', 'CARD_PURCHASE') and status in ('PENDING', 'COMPLETED')
              and created_at >= date_trunc('day', now() at time zone 'utc') at time zone 'utc';
            if v_used + p_amount > v_limit then
              raise exception using errcode = 'WR001', message = 'LimitExceeded',
                detail = jsonb_build_object('limit', 'DAILY_OUTFLOW', 'max', v_limit::text, 'usedToday', v_used::text)::text;
            end if;
          end if;

          update ledger_accounts
          set debits_posted = debits_posted + p_amount, version = version + 1, updated_at = now()
          where id = v_sender.id and credits_posted - debits_posted - debits_pending >= p_amount
          returning * into v_debit_account;
          if not found then raise exception using errcode = 'WR001', message = 'InsufficientFunds', detail = '{}'; end if;
          update ledger_accounts
          set credits_posted = credits_posted + p_amount, version = version + 1, updated_at = now()
          where id = v_wallet
          returning * into v_credit_account;

          insert into ledger_transfers (id, debit_account_id, credit_account_id, amount, currency, status, code, reference, resolved_at)
          values (v_transfer, v_sender.id, v_wallet, p_amount, v_sender.currency, 'POSTED', 'TRANSFER', v_reference, now());

          insert into transactions (id, user_id, account_id, transfer_id, type, status, direction, amount, currency,
                                    description, reference, counterparty_user_id)
          values (v_debit_id, p_user, v_sender.id, v_transfer, 'TRANSFER', 'COMPLETED', 'DEBIT', p_amount,
                  v_sender.currency, p_note, v_reference, v_recipient)
          returning * into v_debit;
          insert into transactions (id, user_id, account_id, transfer_id, type, status, direction, amount, currency,
                                    description, reference, counterparty_user_id)
          values (v_credit_id, v_recipient, v_wallet, v_transfer, 'TRANSFER', 'COMPLETED', 'CREDIT', p_amount,
                  v_sender.currency, p_note, v_reference, p_user);

          -- Monitoring rules that flag without blocking (the figures exclude this transfer,
          -- except the burst count, which includes it).
          select count(*) into v_recent from transactions where user_id = p_user and type = 'TRANSFER'
            and direction = 'DEBIT' and created_at > now() - make_interval(secs => (p_rules->>'burstWindowSeconds')::int);
          select coalesce(sum(amount), 0), count(*) into v_usual_sum, v_usual_count from (
            select amount from transactions where user_id = p_user and direction = 'DEBIT'
              and currency = v_sender.currency and id <> v_debit_id order by seq desc limit 20) last;
          select count(*) into v_to_recipient from (select 1 from transactions where user_id = p_user and type = 'TRANSFER'
            and direction = 'DEBIT' and counterparty_user_id = v_recipient and id <> v_debit_id limit 1) before;
          if v_recent >= (p_rules->>'burstCount')::bigint then
            insert into transaction_flags (id, transaction_id, rule, details) values (gen_random_uuid(), v_debit_id, 'BURST',
              jsonb_build_object('count', v_recent, 'windowSeconds', (p_rules->>'burstWindowSeconds')::int));
          end if;
          -- amount > factor x average, in exact numbers: amount x count > factor x sum.
          if v_usual_count > 0 and p_amount::numeric * v_usual_count > (p_rules->>'unusualFactor')::numeric * v_usual_sum then
            insert into transaction_flags (id, transaction_id, rule, details) values (gen_random_uuid(), v_debit_id, 'UNUSUAL_AMOUNT',
              jsonb_build_object('amount', p_amount::text, 'usual', trunc(v_usual_sum / v_usual_count)::text));
          end if;
          v_limit := (p_rules->'newRecipientThreshold'->>v_sender.currency)::bigint;
          if v_to_recipient = 0 and v_limit is not null and p_amount > v_limit then
            insert into transaction_flags (id, transaction_id, rule, details) values (gen_random_uuid(), v_debit_id, 'NEW_RECIPIENT',
              jsonb_build_object('amount', p_amount::text, 'threshold', v_limit::text));
          end if;

          insert into audit_log (user_id, action, outcome, request_id, ip, details)
          values (p_user, 'transfer', 'COMPLETED', p_request_id, p_ip, jsonb_build_object(
            'transactionId', v_debit_id, 'reference', v_reference, 'amount', p_amount::text,
            'currency', v_sender.currency, 'to', v_recipient));
        exception when sqlstate 'WR001' then
          -- A business refusal: the block's writes are undone; the key keeps the answer, worded
          -- by the caller (p_rules.refusals), to give it again to every repeat.
          get stacked diagnostics v_detail = pg_exception_detail;
          v_result := jsonb_build_object('error', jsonb_build_object(
            'code', p_rules->'refusals'->sqlerrm->>'code', 'message', p_rules->'refusals'->sqlerrm->>'message',
            'extensions', coalesce(nullif(v_detail, ''), '{}')::jsonb));
          update idempotency_keys set result = v_result where user_id = p_user and key = p_key;
          return jsonb_build_object('result', v_result);
        end;

        v_result := jsonb_build_object('value', jsonb_build_object(
          'transactionId', v_debit_id, 'walletIds', jsonb_build_array(v_sender.id, v_wallet)));
        update idempotency_keys set result = v_result where user_id = p_user and key = p_key;
        return jsonb_build_object('result', v_result, 'moved', jsonb_build_object(
          'recipientUserId', v_recipient,
          'debit', transaction_json(v_debit),
          'creditTransactionId', v_credit_id,
          'debitAccount', ledger_account_json(v_debit_account),
          'creditAccount', ledger_account_json(v_credit_account)));
      end
      $fn$;`;

/** The JSON helpers as this migration created them (Migration20261206010000 replaces them; its down() restores these). */
export const LEDGER_ACCOUNT_JSON_V1 = `
      create or replace function ledger_account_json(a ledger_accounts) returns jsonb
      language sql stable as $$
        select jsonb_build_object(
          'id', a.id, 'kind', a.kind, 'user_id', a.user_id, 'currency', a.currency,
          'debits_posted', a.debits_posted::text, 'credits_posted', a.credits_posted::text,
          'debits_pending', a.debits_pending::text, 'credits_pending', a.credits_pending::text,
          'version', a.version, 'created_at', a.created_at, 'updated_at', a.updated_at)
      $$;`;

export const TRANSACTION_JSON_V1 = `
      create or replace function transaction_json(t transactions) returns jsonb
      language sql stable as $$
        select jsonb_build_object(
          'id', t.id, 'seq', t.seq::text, 'user_id', t.user_id, 'account_id', t.account_id,
          'transfer_id', t.transfer_id, 'type', t.type, 'status', t.status, 'direction', t.direction,
          'amount', t.amount::text, 'currency', t.currency, 'description', t.description,
          'reference', t.reference, 'counterparty_user_id', t.counterparty_user_id,
          'merchant', t.merchant, 'failure_reason', t.failure_reason,
          'created_at', t.created_at, 'updated_at', t.updated_at)
      $$;`;

export class Migration20261128030000_transfer_function extends Migration {
  override async up(): Promise<void> {
    this.addSql(LEDGER_ACCOUNT_JSON_V1);
    this.addSql(TRANSACTION_JSON_V1);
    this.addSql(WALLET_TRANSFER_V1);
  }

  override async down(): Promise<void> {
    this.addSql('drop function if exists wallet_transfer(uuid, text, text, uuid, text, bigint, text, jsonb, jsonb, text, text);');
    this.addSql('drop function if exists transaction_json(transactions);');
    this.addSql('drop function if exists ledger_account_json(ledger_accounts);');
  }
}
