-- post_movement, version 1: one movement of money in the double-entry ledger, the only place
-- where an account's counters move by a transfer (money rules 1 and 2).
--
-- Called by LedgerService.transfer (deposits, withdrawals, card loads, card purchases) inside
-- the caller's transaction, and by wallet_transfer. It refuses an amount that is not positive
-- and a transfer from an account to itself (raised: a caller's bug, never a user's input, which
-- the API refuses earlier); locks both accounts in id order (as lockOrder does in TypeScript, so
-- two movements over the same accounts never deadlock); answers {"missing": id} when an account
-- does not exist in the currency; answers {"refused": "INSUFFICIENT_FUNDS"} when a user's
-- account (WALLET, CARD) would go below zero counting its holds, having changed nothing, so a
-- caller can carry on after the refusal (a declined authorization); otherwise moves the posted
-- counters (or, with p_pending, the pending ones), steps each account's version once per
-- transaction (version_xid, as NEXT_VERSION in ledger.service.ts), writes the ledger_transfers
-- row and answers both accounts as they now stand: {"debit": …, "credit": …}. System accounts
-- (SETTLEMENT, CARD_ISSUING, …) may go negative by design.
--
-- Released files never change (SHA256SUMS): a change is the next version and a new migration.
CREATE OR REPLACE FUNCTION public.post_movement(p_transfer uuid, p_debit uuid, p_credit uuid, p_amount bigint, p_currency text, p_code text, p_reference text, p_pending boolean)
 RETURNS jsonb
 LANGUAGE plpgsql
AS $function$
declare
  v_debit ledger_accounts%rowtype;
  v_credit ledger_accounts%rowtype;
  v_xid xid8 := pg_current_xact_id();
  v_locked int;
begin
  if p_amount is null or p_amount <= 0 then
    raise exception 'transfer amount must be positive, not %', p_amount;
  end if;
  if p_debit = p_credit then
    raise exception 'a transfer needs two accounts';
  end if;

  select count(*) into v_locked from (
    select 1 from ledger_accounts where id in (p_debit, p_credit) and currency = p_currency order by id for update) l;
  if v_locked < 2 then
    return jsonb_build_object('missing', case
      when exists (select 1 from ledger_accounts where id = p_debit and currency = p_currency) then p_credit
      else p_debit end);
  end if;

  if p_pending then
    update ledger_accounts
    set debits_pending = debits_pending + p_amount,
        version = version + (version_xid is distinct from v_xid)::int, version_xid = v_xid, updated_at = now()
    where id = p_debit and (kind not in ('WALLET', 'CARD') or credits_posted - debits_posted - debits_pending >= p_amount)
    returning * into v_debit;
  else
    update ledger_accounts
    set debits_posted = debits_posted + p_amount,
        version = version + (version_xid is distinct from v_xid)::int, version_xid = v_xid, updated_at = now()
    where id = p_debit and (kind not in ('WALLET', 'CARD') or credits_posted - debits_posted - debits_pending >= p_amount)
    returning * into v_debit;
  end if;
  if not found then
    return jsonb_build_object('refused', 'INSUFFICIENT_FUNDS');
  end if;

  if p_pending then
    update ledger_accounts
    set credits_pending = credits_pending + p_amount,
        version = version + (version_xid is distinct from v_xid)::int, version_xid = v_xid, updated_at = now()
    where id = p_credit
    returning * into v_credit;
  else
    update ledger_accounts
    set credits_posted = credits_posted + p_amount,
        version = version + (version_xid is distinct from v_xid)::int, version_xid = v_xid, updated_at = now()
    where id = p_credit
    returning * into v_credit;
  end if;

  insert into ledger_transfers (id, debit_account_id, credit_account_id, amount, currency, status, code, reference, resolved_at)
  values (p_transfer, p_debit, p_credit, p_amount, p_currency,
          case when p_pending then 'PENDING' else 'POSTED' end, p_code, p_reference,
          case when p_pending then null else now() end);

  return jsonb_build_object('debit', ledger_account_json(v_debit), 'credit', ledger_account_json(v_credit));
end
$function$;
