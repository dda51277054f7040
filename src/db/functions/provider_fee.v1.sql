-- provider_fee, version 1: a provider's fee on a deposit or a payout, moved from its settlement
-- account to its fees account (money rule 11: a FEE transfer debiting fees and crediting
-- settlement), so the settlement account mirrors what the provider holds for us.
--
-- Called by deposit_settle and payout_settle with the payment's row, the fee the provider
-- reported (nothing happens for none), the shard the payment's wallet picks (the same rows as
-- the payment's own movement, so a fee locks nothing more) and the ids for the transfer and for
-- shards it may open. Answers both accounts as they now stand, or [] without a fee.
--
-- Released files never change (SHA256SUMS): a change is the next version and a new migration.
CREATE OR REPLACE FUNCTION public.provider_fee(p_payment payments, p_fee bigint, p_shard integer, p_ids jsonb)
 RETURNS jsonb
 LANGUAGE plpgsql
AS $function$
declare
  v_settlement uuid;
  v_fees uuid;
  v_moved jsonb;
begin
  if p_fee is null or p_fee <= 0 then
    return '[]'::jsonb;
  end if;
  v_settlement := system_account((p_ids->>'settlement')::uuid, 'SETTLEMENT', p_payment.provider, p_payment.currency, p_shard);
  v_fees := system_account((p_ids->>'fees')::uuid, 'FEES', p_payment.provider, p_payment.currency, p_shard);
  v_moved := post_movement((p_ids->>'fee')::uuid, v_fees, v_settlement, p_fee, p_payment.currency, 'FEE', p_payment.reference, false);
  if not v_moved ? 'debit' then
    raise exception 'fee of % not posted: %', p_payment.reference, v_moved;
  end if;
  return jsonb_build_array(v_moved->'debit', v_moved->'credit');
end
$function$;
