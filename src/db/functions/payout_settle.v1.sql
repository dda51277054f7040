-- payout_settle, version 1: applies a payout's final status once, in one round trip.
--
-- Called on its own by WithdrawalService.settle, for the provider's answer to the payout, its
-- webhook and the recovery job (it commits when it returns; the provider was asked before, never
-- inside). In order: the provider's event, when given (p_event: recorded by webhook_event_record with
-- the effect, so a repeat of it is DUPLICATE and changes nothing, money rule 7), the payment
-- locked, then by its status and p_status: PENDING and SUCCEEDED posts the hold (resolve_pending)
-- and moves the provider's fee from settlement to the fees account (provider_fee, money rule 11), the payment
-- SUCCEEDED and its row COMPLETED; PENDING and anything else (failed, or sent back before it ever
-- succeeded) voids the hold, the money is the wallet's again, the payment and its row FAILED
-- (p_reason); SUCCEEDED and REVERSED is a new transfer from settlement back to the wallet (rule 3:
-- a posted transfer never changes), the payment REVERSED, its row REVERSED and a REVERSAL row
-- beside it; anything else is ALREADY_SETTLED. The audit row (p_audit, when given) carries the
-- outcome. Answers {"outcome", "accounts": the accounts moved, as they now stand, "transactions":
-- the user-facing rows it changed or wrote}, which the caller turns into cache invalidations and
-- events.
--
-- Released files never change (SHA256SUMS): a change is the next version and a new migration.
CREATE OR REPLACE FUNCTION public.payout_settle(p_payment uuid, p_status text, p_reason text, p_fee bigint, p_shard integer, p_ids jsonb, p_event jsonb, p_audit jsonb)
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
  v_reason text;
begin
  -- Only a final status settles anything; PENDING or UNKNOWN is the caller's bug.
  if p_status is null or p_status not in ('SUCCEEDED', 'FAILED', 'REVERSED') then
    raise exception 'a payout settles only as SUCCEEDED, FAILED or REVERSED, not %', p_status;
  end if;
  -- A provider's event is recorded in the same transaction as its effect: applied once.
  if p_event is not null and not webhook_event_record(p_event) then
    v_outcome := 'DUPLICATE';
  end if;

  if v_outcome is null then
    select * into v_payment from payments where id = p_payment and kind = 'WITHDRAWAL' for update;
    if not found then raise exception 'no withdrawal %', p_payment; end if;
    if v_payment.status = 'PENDING' and p_status = 'SUCCEEDED' then
      -- The hold is posted; the provider's fee moves from settlement to fees (money rule 11).
      v_accounts := v_accounts || coalesce(resolve_pending(v_payment.transfer_id, true), '[]'::jsonb);
      v_accounts := v_accounts || provider_fee(v_payment, p_fee, p_shard, p_ids);
      update payments set status = 'SUCCEEDED', failure_reason = null, due_at = null, updated_at = now() where id = p_payment;
      update transactions set status = 'COMPLETED', updated_at = now()
      where id = v_payment.transaction_id and status = 'PENDING'
      returning * into v_row;
      v_outcome := 'PAYOUT_COMPLETED';
    elsif v_payment.status = 'PENDING' then
      -- Failed, or sent back before it ever succeeded: the hold is voided, the money is the wallet's again.
      v_reason := coalesce(p_reason, 'The payout failed');
      v_accounts := v_accounts || coalesce(resolve_pending(v_payment.transfer_id, false), '[]'::jsonb);
      update payments set status = 'FAILED', failure_reason = v_reason, due_at = null, updated_at = now() where id = p_payment;
      update transactions set status = 'FAILED', failure_reason = v_reason, updated_at = now()
      where id = v_payment.transaction_id and status = 'PENDING'
      returning * into v_row;
      v_outcome := 'PAYOUT_FAILED';
    elsif v_payment.status = 'SUCCEEDED' and p_status = 'REVERSED' then
      -- A posted transfer never changes (rule 3): undoing it is a new transfer the other way.
      v_settlement := system_account((p_ids->>'settlement')::uuid, 'SETTLEMENT', v_payment.provider, v_payment.currency, p_shard);
      v_moved := post_movement((p_ids->>'transfer')::uuid, v_settlement, v_payment.account_id, v_payment.amount,
                               v_payment.currency, 'REVERSAL', v_payment.reference, false);
      if not v_moved ? 'debit' then raise exception 'reversal of % not posted: %', v_payment.reference, v_moved; end if;
      v_accounts := v_accounts || jsonb_build_array(v_moved->'debit', v_moved->'credit');
      update payments set status = 'REVERSED', failure_reason = coalesce(p_reason, 'The bank sent the payout back'),
        due_at = null, updated_at = now() where id = p_payment;
      update transactions set status = 'REVERSED', updated_at = now()
      where id = v_payment.transaction_id and status = 'COMPLETED'
      returning * into v_row;
      if found then v_rows := v_rows || jsonb_build_array(transaction_json(v_row)); end if;
      insert into transactions (id, user_id, account_id, transfer_id, type, status, direction, amount, currency, description, reference)
      values ((p_ids->>'transaction')::uuid, v_payment.user_id, v_payment.account_id, (p_ids->>'transfer')::uuid, 'REVERSAL',
              'COMPLETED', 'CREDIT', v_payment.amount, v_payment.currency, 'Withdrawal returned by the bank', v_payment.reference)
      returning * into v_row;
      v_outcome := 'PAYOUT_REVERSED';
    else
      v_outcome := 'ALREADY_SETTLED';
    end if;
    if v_row.id is not null then v_rows := v_rows || jsonb_build_array(transaction_json(v_row)); end if;
  end if;

  if p_audit is not null then
    perform audit_record(null, p_audit->>'action', v_outcome, p_audit->>'requestId', p_audit->>'ip', p_audit->'details');
  end if;
  return jsonb_build_object('outcome', v_outcome, 'accounts', v_accounts, 'transactions', v_rows);
end
$function$;
