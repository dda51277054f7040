-- resolve_pending, version 1: posts or voids a pending transfer, exactly once (money rule 3: a
-- hold is resolved once, and a posted transfer never changes).
--
-- Called by LedgerService.resolvePending (card authorizations captured or released) and by
-- payout_settle, inside the caller's transaction. Marks the transfer POSTED (p_post) or VOIDED
-- only while it is PENDING, then takes the hold off both accounts in id order (as every movement
-- locks them), moving it to the posted counters when posting, and steps each account's version
-- once per transaction (version_xid). Answers both accounts as they now stand, in id order, or
-- null when the transfer was no longer pending (someone resolved it first): nothing changed.
--
-- Released files never change (SHA256SUMS): a change is the next version and a new migration.
CREATE OR REPLACE FUNCTION public.resolve_pending(p_transfer uuid, p_post boolean)
 RETURNS jsonb
 LANGUAGE plpgsql
AS $function$
declare
  v_transfer ledger_transfers%rowtype;
  v_account ledger_accounts%rowtype;
  v_xid xid8 := pg_current_xact_id();
  v_accounts jsonb := '[]'::jsonb;
  v_id uuid;
  v_posted bigint;
begin
  update ledger_transfers set status = case when p_post then 'POSTED' else 'VOIDED' end, resolved_at = now()
  where id = p_transfer and status = 'PENDING'
  returning * into v_transfer;
  if not found then
    return null;
  end if;
  v_posted := case when p_post then v_transfer.amount else 0 end;
  -- Both accounts in id order, as every movement locks them, so two never deadlock.
  for v_id in select a from unnest(array[v_transfer.debit_account_id, v_transfer.credit_account_id]) a order by a loop
    if v_id = v_transfer.debit_account_id then
      update ledger_accounts
      set debits_pending = debits_pending - v_transfer.amount, debits_posted = debits_posted + v_posted,
          version = version + (version_xid is distinct from v_xid)::int, version_xid = v_xid, updated_at = now()
      where id = v_id
      returning * into v_account;
    else
      update ledger_accounts
      set credits_pending = credits_pending - v_transfer.amount, credits_posted = credits_posted + v_posted,
          version = version + (version_xid is distinct from v_xid)::int, version_xid = v_xid, updated_at = now()
      where id = v_id
      returning * into v_account;
    end if;
    v_accounts := v_accounts || jsonb_build_array(ledger_account_json(v_account));
  end loop;
  return v_accounts;
end
$function$;
