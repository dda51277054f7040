-- open_wallet, version 1: a user's wallet in a currency, opened when missing.
--
-- The one home of opening a wallet: WalletService.create (the createWallet mutation, which
-- refuses when `opened` is false) and wallet_transfer (version 6, a recipient without a wallet in
-- the sender's currency gets one) call it. `p_id` is the caller's, used only when the wallet is
-- new; one wallet per user and currency is the unique index's rule, so two callers at once get the
-- same wallet. Returns { opened, wallet } with the wallet as ledger_account_json prints it.
--
-- Released files never change (SHA256SUMS): to change this function, copy it to the next
-- version, change the copy, and add a migration that applies it (docs/architecture.md).
CREATE OR REPLACE FUNCTION public.open_wallet(p_id uuid, p_user uuid, p_currency text)
 RETURNS jsonb
 LANGUAGE plpgsql
AS $function$
declare
  v_wallet ledger_accounts%rowtype;
begin
  insert into ledger_accounts (id, kind, user_id, currency) values (p_id, 'WALLET', p_user, p_currency)
  on conflict (user_id, currency) where kind = 'WALLET' do nothing
  returning * into v_wallet;
  if found then
    return jsonb_build_object('opened', true, 'wallet', ledger_account_json(v_wallet));
  end if;
  select * into v_wallet from ledger_accounts where user_id = p_user and currency = p_currency and kind = 'WALLET';
  return jsonb_build_object('opened', false, 'wallet', ledger_account_json(v_wallet));
end
$function$;
