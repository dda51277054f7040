-- deposit_settle, version 1: applies a deposit's verified final status once, in one round trip.
--
-- Called on its own by DepositService.settle, for the provider's webhook and for the recovery job
-- (it commits when it returns; the provider was asked before, never inside). In order: the
-- provider's event, when given (p_event: recorded by webhook_event_record with the effect, so a repeat
-- of it is DUPLICATE and changes nothing, money rule 7), the payment locked, then: a payment no
-- longer PENDING is ALREADY_SETTLED, except a FAILED one that was paid after all (a checkout paid
-- after it expired), whose row is reopened and credited: the customer's money is never left at the
-- provider. A failure marks the payment and its row FAILED (p_reason). A success credits the
-- wallet from the settlement account's shard p_shard (system_account, post_movement), moves the
-- provider's fee from settlement to the fees account (provider_fee, money rule 11), marks the payment SUCCEEDED
-- with its transfer and the row COMPLETED. The audit row (p_audit, when given) carries the outcome.
-- Answers {"outcome", "accounts": the accounts moved, as they now stand, "transactions": the
-- user-facing rows it changed}, which the caller turns into cache invalidations and events.
--
-- Released files never change (SHA256SUMS): a change is the next version and a new migration.
CREATE OR REPLACE FUNCTION public.deposit_settle(p_payment uuid, p_succeeded boolean, p_reason text, p_fee bigint, p_shard integer, p_ids jsonb, p_event jsonb, p_audit jsonb)
 RETURNS jsonb
 LANGUAGE plpgsql
AS $function$
declare
  v_payment payments%rowtype;
  v_outcome text;
  v_settlement uuid;
  v_moved jsonb;
  v_accounts jsonb := '[]'::jsonb;
  v_rows jsonb := '[]'::jsonb;
  v_row transactions%rowtype;
  v_transfer uuid := (p_ids->>'transfer')::uuid;
begin
  -- Paid or not: nothing else settles a deposit (a null would credit it).
  if p_succeeded is null then
    raise exception 'a deposit settles only as paid or not paid, not null';
  end if;
  -- A provider's event is recorded in the same transaction as its effect: applied once.
  if p_event is not null and not webhook_event_record(p_event) then
    v_outcome := 'DUPLICATE';
  end if;

  if v_outcome is null then
    select * into v_payment from payments where id = p_payment and kind = 'DEPOSIT' for update;
    if not found then raise exception 'no deposit %', p_payment; end if;
    if v_payment.status = 'FAILED' and p_succeeded then
      -- Paid after its checkout expired (or after initialize was reported as failed): still the
      -- customer's money, credited, never left at the provider.
      update transactions set status = 'PENDING', failure_reason = null, updated_at = now()
      where id = v_payment.transaction_id and status = 'FAILED';
    elsif v_payment.status <> 'PENDING' then
      v_outcome := 'ALREADY_SETTLED';
    end if;
  end if;

  if v_outcome is null and not p_succeeded then
    update payments set status = 'FAILED', failure_reason = p_reason, due_at = null, updated_at = now() where id = p_payment;
    update transactions set status = 'FAILED', failure_reason = coalesce(p_reason, failure_reason), updated_at = now()
    where id = v_payment.transaction_id and status = 'PENDING'
    returning * into v_row;
    if found then v_rows := v_rows || jsonb_build_array(transaction_json(v_row)); end if;
    v_outcome := 'DEPOSIT_FAILED';
  elsif v_outcome is null then
    -- The caller's shard of the settlement account (picked by the wallet), then the credit.
    v_settlement := system_account((p_ids->>'settlement')::uuid, 'SETTLEMENT', v_payment.provider, v_payment.currency, p_shard);
    v_moved := post_movement(v_transfer, v_settlement, v_payment.account_id, v_payment.amount, v_payment.currency,
                             'DEPOSIT', v_payment.reference, false);
    if not v_moved ? 'debit' then raise exception 'deposit % not posted: %', v_payment.reference, v_moved; end if;
    v_accounts := v_accounts || jsonb_build_array(v_moved->'debit', v_moved->'credit');
    -- Rule 11: the provider's fee moves from settlement to fees, so settlement mirrors what the provider holds.
    v_accounts := v_accounts || provider_fee(v_payment, p_fee, p_shard, p_ids);
    update payments set status = 'SUCCEEDED', failure_reason = null, transfer_id = v_transfer, due_at = null, updated_at = now()
    where id = p_payment;
    update transactions set transfer_id = v_transfer, status = 'COMPLETED', updated_at = now()
    where id = v_payment.transaction_id and status = 'PENDING'
    returning * into v_row;
    if found then v_rows := v_rows || jsonb_build_array(transaction_json(v_row)); end if;
    v_outcome := 'DEPOSIT_CREDITED';
  end if;

  if p_audit is not null then
    perform audit_record(null, p_audit->>'action', v_outcome, p_audit->>'requestId', p_audit->>'ip', p_audit->'details');
  end if;
  return jsonb_build_object('outcome', v_outcome, 'accounts', v_accounts, 'transactions', v_rows);
end
$function$;
