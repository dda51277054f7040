-- outflow_today, version 2: what the daily outflow limit has counted so far today, for a user
-- and currency, decided under a lock that every outflow of that user and currency takes.
--
-- The transaction-level advisory lock (class 0x6f7574, 'out') is held until the caller commits,
-- so the next outflow decision for the same user and currency waits and then sees this one.
-- Callers take it after the rows they lock and wait for nothing after it (no deadlock). The sum
-- runs once the lock is granted, in a snapshot of its own (volatile): it sees what committed
-- meanwhile. Called by wallet_transfer and by MonitoringService (withdrawals, card purchases).
--
-- Released files never change (SHA256SUMS). Version 2 is version 1
-- (Migration20261206000000_outflow_lock) with its body unindented.
CREATE OR REPLACE FUNCTION public.outflow_today(p_user uuid, p_currency text)
 RETURNS bigint
 LANGUAGE plpgsql
AS $function$
declare
  v_used bigint;
begin
  perform pg_advisory_xact_lock(7304564, hashtext(p_user::text || ':' || p_currency));
  select coalesce(sum(amount), 0) into v_used from transactions
  where user_id = p_user and currency = p_currency and direction = 'DEBIT'
    and type in ('TRANSFER', 'WITHDRAWAL', 'CARD_PURCHASE') and status in ('PENDING', 'COMPLETED')
    and created_at >= date_trunc('day', now() at time zone 'utc') at time zone 'utc';
  return v_used;
end
$function$;
