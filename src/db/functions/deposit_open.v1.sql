-- deposit_open, version 1: a deposit's first step in one round trip, before the provider hears of it.
--
-- Called on its own by DepositService (src/domain/payments/deposit.service.ts): it commits when it
-- returns, so the provider's webhook always finds the row. In order: the idempotency key
-- (idempotency_claim, with the answer at once: the payment's id is the caller's; a repeat waits
-- for the first at most 5 s), the user's wallet, the limits (p_rules.maxDeposit: the largest
-- deposit; p_rules.maxBalance: the most the wallet may hold once it and every deposit still pending
-- are paid), the PENDING transaction row, the payments row (due for the recovery job after
-- p_rules.recheckAfterSeconds, its checkout expiring after p_rules.expirySeconds) and the audit row
-- (audit_record). A limit refused (SQLSTATE WR001) rolls back to the block's savepoint and is
-- recorded on the key (idempotency_refusal) as the answer to repeat, worded by the caller (p_rules.refusals, with their
-- extensions; the words live in payments.errors.ts alone); no such wallet of the user (WA001)
-- undoes everything, the key included. Answers {"replay": the key's row}, {"result": the refusal},
-- or {"result", "payment", "transaction", "wallet"}: the rows as written and the wallet as read
-- (a pending deposit does not move it), which the caller answers with.
--
-- Released files never change (SHA256SUMS): a change is the next version and a new migration.
CREATE OR REPLACE FUNCTION public.deposit_open(p_user uuid, p_key text, p_fingerprint text, p_wallet uuid, p_amount bigint, p_rules jsonb, p_ids jsonb, p_provider text, p_request_id text, p_ip text)
 RETURNS jsonb
 LANGUAGE plpgsql
AS $function$
declare
  v_replay jsonb;
  v_wallet ledger_accounts%rowtype;
  v_limit bigint;
  v_room bigint;
  v_detail text;
  v_result jsonb;
  v_row transactions%rowtype;
  v_payment payments%rowtype;
  v_payment_id uuid := (p_ids->>'payment')::uuid;
  v_reference text := p_ids->>'reference';
begin
  -- The key is claimed with its answer at once (the payment's id is the caller's): a refusal
  -- below rewrites it, any other error takes it away with everything else.
  v_result := jsonb_build_object('value', jsonb_build_object('paymentId', v_payment_id));
  v_replay := idempotency_claim(p_user, p_key, 'deposit', p_fingerprint, v_result);
  if v_replay is not null then
    return jsonb_build_object('replay', v_replay);
  end if;

  begin
    select * into v_wallet from ledger_accounts where id = p_wallet and user_id = p_user and kind = 'WALLET';
    if not found then raise exception using errcode = 'WA001', message = 'no such wallet of the user'; end if;

    v_limit := (p_rules->'maxDeposit'->>v_wallet.currency)::bigint;
    if p_amount > v_limit then
      raise exception using errcode = 'WR001', message = 'DepositTooLarge',
        detail = jsonb_build_object('limit', v_limit::text)::text;
    end if;
    -- Room left under the most a wallet may hold, counting every deposit still pending.
    v_limit := (p_rules->'maxBalance'->>v_wallet.currency)::bigint;
    select v_limit - (v_wallet.credits_posted - v_wallet.debits_posted) - coalesce(sum(amount), 0) into v_room
    from payments where account_id = v_wallet.id and kind = 'DEPOSIT' and status = 'PENDING';
    if p_amount > v_room then
      raise exception using errcode = 'WR001', message = 'BalanceLimit',
        detail = jsonb_build_object('limit', v_limit::text, 'room', greatest(v_room, 0)::text)::text;
    end if;

    insert into transactions (id, user_id, account_id, type, status, direction, amount, currency, description, reference)
    values ((p_ids->>'transaction')::uuid, p_user, v_wallet.id, 'DEPOSIT', 'PENDING', 'CREDIT', p_amount,
            v_wallet.currency, p_rules->>'description', v_reference)
    returning * into v_row;
    insert into payments (id, reference, kind, provider, status, user_id, account_id, transaction_id, amount, currency,
                          due_at, expires_at)
    values (v_payment_id, v_reference, 'DEPOSIT', p_provider, 'PENDING', p_user, v_wallet.id, v_row.id, p_amount,
            v_wallet.currency, now() + make_interval(secs => (p_rules->>'recheckAfterSeconds')::double precision),
            now() + make_interval(secs => (p_rules->>'expirySeconds')::double precision))
    returning * into v_payment;
    perform audit_record(p_user, 'deposit', 'PENDING', p_request_id, p_ip, jsonb_build_object(
      'reference', v_reference, 'amount', p_amount::text, 'currency', v_wallet.currency));
  exception when sqlstate 'WR001' then
    -- A business refusal: the block's writes are undone; the key keeps the answer, worded by
    -- the caller (p_rules.refusals), to give it again to every repeat.
    get stacked diagnostics v_detail = pg_exception_detail;
    return jsonb_build_object('result', idempotency_refusal(p_user, p_key, p_rules->'refusals', sqlerrm, v_detail));
  end;

  return jsonb_build_object('result', v_result, 'payment', payment_json(v_payment), 'transaction', transaction_json(v_row),
    'wallet', ledger_account_json(v_wallet));
end
$function$;
