-- system_account, version 1: the id of one shard of a system account (SETTLEMENT, FEES, …) of a
-- provider and currency, opened with the caller's id the first time it is needed.
--
-- The one home of that step: LedgerService.systemAccount (withdrawals, reversals, card issuers)
-- and deposit_settle call it. Read first (the shard exists for every movement but its first); a
-- missing shard is inserted, and when another transaction inserted it meanwhile the insert waits
-- for it and the row is read again. Which shard a movement uses is the caller's (shardOf in
-- ledger.service.ts, from the wallet's id: LEDGER_SYSTEM_ACCOUNT_SHARDS).
--
-- Released files never change (SHA256SUMS): a change is the next version and a new migration.
CREATE OR REPLACE FUNCTION public.system_account(p_id uuid, p_kind text, p_provider text, p_currency text, p_shard integer)
 RETURNS uuid
 LANGUAGE plpgsql
AS $function$
declare
  v_id uuid;
begin
  select id into v_id from ledger_accounts
  where kind = p_kind and provider = p_provider and currency = p_currency and shard = p_shard and user_id is null;
  if v_id is not null then return v_id; end if;
  insert into ledger_accounts (id, kind, provider, currency, shard) values (p_id, p_kind, p_provider, p_currency, p_shard)
  on conflict (kind, provider, currency, shard) where user_id is null do nothing
  returning id into v_id;
  if v_id is not null then return v_id; end if;
  -- Another transaction inserted it meanwhile: the insert waited for it, so it is visible now.
  select id into v_id from ledger_accounts
  where kind = p_kind and provider = p_provider and currency = p_currency and shard = p_shard and user_id is null;
  return v_id;
end
$function$;
