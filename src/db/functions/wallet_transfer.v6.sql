-- wallet_transfer, version 6: a transfer between two users' wallets in one round trip.
--
-- Called on its own by src/domain/wallets/transfer.service.ts (it commits when it returns, so the
-- wallets stay locked only while PostgreSQL works). In order: the idempotency key
-- (idempotency_claim, with the answer at once; a repeat waits for the first at most 5 s), the
-- sender's wallet, the recipient and their wallet (open_wallet: opened when missing), both wallets
-- locked in id order, the limits (outflow_limit), the movement (post_movement: the balance guard
-- and the postings), the two user-facing rows, the monitoring flags and the audit row
-- (audit_record). Business refusals (SQLSTATE WR001: limits, funds) roll back to the block's
-- savepoint and are recorded on the key as the answer to repeat, worded by the caller
-- (p_rules.refusals: the words live in wallets.errors.ts alone, and the answer must be on the key
-- when this commits); other errors undo everything, the key included: no such wallet of the sender
-- (SQLSTATE WA001), no user with the recipient's email (WA002), a transfer to oneself (WA003), each
-- mapped to its WalletError by its code in transfer.service.ts, and post_movement's refusal of an
-- amount that is not positive.
--
-- Released files never change (SHA256SUMS): to change this function, copy it to the next
-- version, change the copy, and add a migration that applies it (docs/architecture.md).
-- Version 5: the balance guard, the postings and the positive-amount check are post_movement's,
-- the limits outflow_limit's, the claim of the key idempotency_claim's.
-- Version 6: opening the recipient's wallet is open_wallet's, the audit row audit_record's; the
-- three fatal refusals have a SQLSTATE each (they were all WA001, told apart by their message).
CREATE OR REPLACE FUNCTION public.wallet_transfer(p_user uuid, p_key text, p_fingerprint text, p_from uuid, p_email text, p_amount bigint, p_note text, p_rules jsonb, p_ids jsonb, p_request_id text, p_ip text)
 RETURNS jsonb
 LANGUAGE plpgsql
AS $function$
declare
  v_replay jsonb;
  v_sender ledger_accounts%rowtype;
  v_moved jsonb;
  v_refusal jsonb;
  v_debit transactions%rowtype;
  v_recipient uuid;
  v_wallet uuid;
  v_limit bigint;
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
  -- The key is claimed with its answer at once (the ids are the caller's): a refusal below
  -- rewrites it, any other error takes it away with everything else. A repeat gets the row.
  v_result := jsonb_build_object('value', jsonb_build_object('transactionId', v_debit_id));
  v_replay := idempotency_claim(p_user, p_key, 'transfer', p_fingerprint, v_result);
  if v_replay is not null then
    return jsonb_build_object('replay', v_replay);
  end if;

  begin
    select * into v_sender from ledger_accounts where id = p_from and user_id = p_user and kind = 'WALLET';
    if not found then raise exception using errcode = 'WA001', message = 'no such wallet of the sender'; end if;
    if p_email is not null then
      select id into v_recipient from users where email = p_email;
    end if;
    if v_recipient is null then raise exception using errcode = 'WA002', message = 'no user with this email'; end if;
    if v_recipient = p_user then raise exception using errcode = 'WA003', message = 'a transfer to oneself'; end if;

    v_wallet := (open_wallet((p_ids->>'wallet')::uuid, v_recipient, v_sender.currency)->'wallet'->>'id')::uuid;

    -- Both wallets locked in id order before any check: limits and balances are decided
    -- on rows nobody else can change, and opposite transfers never deadlock.
    perform 1 from ledger_accounts where id in (v_sender.id, v_wallet) order by id for update;

    v_refusal := outflow_limit(p_user, v_sender.currency, p_amount,
      (p_rules->'maxTransaction'->>v_sender.currency)::bigint, (p_rules->'dailyOutflow'->>v_sender.currency)::bigint);
    if v_refusal is not null then
      raise exception using errcode = 'WR001', message = 'LimitExceeded', detail = v_refusal::text;
    end if;

    v_moved := post_movement(v_transfer, v_sender.id, v_wallet, p_amount, v_sender.currency, 'TRANSFER', v_reference, false);
    if v_moved ? 'refused' then raise exception using errcode = 'WR001', message = 'InsufficientFunds', detail = '{}'; end if;

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

    perform audit_record(p_user, 'transfer', 'COMPLETED', p_request_id, p_ip, jsonb_build_object(
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

  return jsonb_build_object('result', v_result, 'moved', jsonb_build_object(
    'recipientUserId', v_recipient,
    'debit', transaction_json(v_debit),
    'creditTransactionId', v_credit_id,
    'debitAccount', v_moved->'debit',
    'creditAccount', v_moved->'credit'));
end
$function$;
