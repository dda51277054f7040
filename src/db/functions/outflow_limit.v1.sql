-- outflow_limit, version 1: whether an outflow of p_amount by a user in a currency stays within
-- the limits that block (LIMIT_EXCEEDED): null when it does, else why not, as the refusal's
-- extensions ({"limit": "MAX_TRANSACTION", "max"} or {"limit": "DAILY_OUTFLOW", "max",
-- "usedToday"}, amounts as text).
--
-- The one home of both limits: MonitoringService.checkLimits (withdrawals, card purchases) and
-- wallet_transfer (transfers) call it with the configured limits of the currency (null: none).
-- The daily sum comes from outflow_today, which takes the user's outflow lock for the currency,
-- held until the caller commits, so outflows of every kind are decided one at a time. The
-- single-transaction limit is checked first: a refusal by it takes no lock.
--
-- Released files never change (SHA256SUMS): a change is the next version and a new migration.
CREATE OR REPLACE FUNCTION public.outflow_limit(p_user uuid, p_currency text, p_amount bigint, p_max bigint, p_daily bigint)
 RETURNS jsonb
 LANGUAGE plpgsql
AS $function$
declare
  v_used bigint;
begin
  if p_max is not null and p_amount > p_max then
    return jsonb_build_object('limit', 'MAX_TRANSACTION', 'max', p_max::text);
  end if;
  if p_daily is not null then
    v_used := outflow_today(p_user, p_currency);
    if v_used + p_amount > p_daily then
      return jsonb_build_object('limit', 'DAILY_OUTFLOW', 'max', p_daily::text, 'usedToday', v_used::text);
    end if;
  end if;
  return null;
end
$function$;
