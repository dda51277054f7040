-- withdraw_hold, version 1: a withdrawal's hold in one round trip, before the payout is sent.
--
-- Called on its own by WithdrawalService (src/domain/payments/withdrawal.service.ts), after the
-- bank account was resolved with the provider: it commits when it returns, and the provider is
-- never called inside it. In order: the idempotency key (idempotency_claim, with the answer at
-- once: the payment's id is the caller's; a repeat waits for the first at most 5 s), the user's
-- wallet, the settlement account's shard p_shard (system_account), both accounts locked in id
-- order, the limits (outflow_limit), the hold (post_movement, pending: the balance guard counts
-- it at once), the PENDING transaction row, the payments row (due for the recovery job after
-- p_rules.recheckAfterSeconds) and the audit row (audit_record). A limit or the balance refusing
-- (SQLSTATE WR001) rolls back to the block's savepoint and is recorded on the key (idempotency_refusal) as the answer to
-- repeat, worded by the caller (p_rules.refusals, with their extensions; the words live in
-- wallets.errors.ts alone); no such wallet of the user (WA001) undoes everything, the key
-- included. Answers {"replay": the key's row}, {"result": the refusal}, or {"result", "payment",
-- "transaction", "wallet", "settlement"}: the rows and accounts as written, which the caller
-- answers with.
--
-- Released files never change (SHA256SUMS): a change is the next version and a new migration.
CREATE OR REPLACE FUNCTION public.withdraw_hold(p_user uuid, p_key text, p_fingerprint text, p_wallet uuid, p_amount bigint, p_bank jsonb, p_rules jsonb, p_ids jsonb, p_provider text, p_shard integer, p_request_id text, p_ip text)
 RETURNS jsonb
 LANGUAGE plpgsql
AS $function$
declare
  v_replay jsonb;
  v_wallet ledger_accounts%rowtype;
  v_settlement uuid;
  v_refusal jsonb;
  v_moved jsonb;
  v_detail text;
  v_result jsonb;
  v_row transactions%rowtype;
  v_payment payments%rowtype;
  v_payment_id uuid := (p_ids->>'payment')::uuid;
  v_transfer uuid := (p_ids->>'transfer')::uuid;
  v_reference text := p_ids->>'reference';
begin
  -- The key is claimed with its answer at once (the payment's id is the caller's): a refusal
  -- below rewrites it, any other error takes it away with everything else.
  v_result := jsonb_build_object('value', jsonb_build_object('paymentId', v_payment_id));
  v_replay := idempotency_claim(p_user, p_key, 'withdraw', p_fingerprint, v_result);
  if v_replay is not null then
    return jsonb_build_object('replay', v_replay);
  end if;

  begin
    select * into v_wallet from ledger_accounts where id = p_wallet and user_id = p_user and kind = 'WALLET';
    if not found then raise exception using errcode = 'WA001', message = 'no such wallet of the user'; end if;
    -- The wallet picks the settlement shard: withdrawals of different users do not wait for one row.
    v_settlement := system_account((p_ids->>'settlement')::uuid, 'SETTLEMENT', p_provider, v_wallet.currency, p_shard);
    -- Both accounts locked in id order before any check (rule 4): the limits and the balance are
    -- decided on rows nobody else can change, and no two movements deadlock.
    perform 1 from ledger_accounts where id in (v_wallet.id, v_settlement) order by id for update;

    v_refusal := outflow_limit(p_user, v_wallet.currency, p_amount,
      (p_rules->'maxTransaction'->>v_wallet.currency)::bigint, (p_rules->'dailyOutflow'->>v_wallet.currency)::bigint);
    if v_refusal is not null then
      raise exception using errcode = 'WR001', message = 'LimitExceeded', detail = v_refusal::text;
    end if;

    -- The money is held: a PENDING transfer to settlement, posted or voided when the payout ends.
    v_moved := post_movement(v_transfer, v_wallet.id, v_settlement, p_amount, v_wallet.currency, 'WITHDRAWAL', v_reference, true);
    if v_moved ? 'refused' then raise exception using errcode = 'WR001', message = 'InsufficientFunds', detail = '{}'; end if;
    if v_moved ? 'missing' then raise exception 'withdrawal % not held: %', v_reference, v_moved; end if;

    insert into transactions (id, user_id, account_id, transfer_id, type, status, direction, amount, currency, description, reference)
    values ((p_ids->>'transaction')::uuid, p_user, v_wallet.id, v_transfer, 'WITHDRAWAL', 'PENDING', 'DEBIT', p_amount,
            v_wallet.currency, p_bank->>'description', v_reference)
    returning * into v_row;
    insert into payments (id, reference, kind, provider, status, user_id, account_id, transaction_id, transfer_id, amount,
                          currency, bank_code, account_number, account_name, due_at)
    values (v_payment_id, v_reference, 'WITHDRAWAL', p_provider, 'PENDING', p_user, v_wallet.id, v_row.id, v_transfer, p_amount,
            v_wallet.currency, p_bank->>'code', p_bank->>'number', p_bank->>'name',
            now() + make_interval(secs => (p_rules->>'recheckAfterSeconds')::double precision))
    returning * into v_payment;
    perform audit_record(p_user, 'withdraw', 'PENDING', p_request_id, p_ip, jsonb_build_object(
      'reference', v_reference, 'amount', p_amount::text, 'currency', v_wallet.currency, 'bankCode', p_bank->>'code'));
  exception when sqlstate 'WR001' then
    -- A business refusal: the block's writes are undone; the key keeps the answer, worded by
    -- the caller (p_rules.refusals, with their extensions), to give it again to every repeat.
    get stacked diagnostics v_detail = pg_exception_detail;
    return jsonb_build_object('result', idempotency_refusal(p_user, p_key, p_rules->'refusals', sqlerrm, v_detail));
  end;

  return jsonb_build_object('result', v_result, 'payment', payment_json(v_payment), 'transaction', transaction_json(v_row),
    'wallet', v_moved->'debit', 'settlement', v_moved->'credit');
end
$function$;
