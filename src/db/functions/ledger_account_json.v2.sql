-- ledger_account_json, version 2: a ledger account row as the JSON wallet_transfer answers with
-- (amounts as text: bigint does not survive JSON numbers), read by toAccount in
-- src/domain/ledger/ledger.service.ts.
--
-- Released files never change (SHA256SUMS). Version 2 is version 1
-- (Migration20261128030000_transfer_function) with its body unindented.
CREATE OR REPLACE FUNCTION public.ledger_account_json(a ledger_accounts)
 RETURNS jsonb
 LANGUAGE sql
 STABLE
AS $function$
select jsonb_build_object(
  'id', a.id, 'kind', a.kind, 'user_id', a.user_id, 'currency', a.currency,
  'debits_posted', a.debits_posted::text, 'credits_posted', a.credits_posted::text,
  'debits_pending', a.debits_pending::text, 'credits_pending', a.credits_pending::text,
  'version', a.version, 'created_at', a.created_at, 'updated_at', a.updated_at)
$function$;
