-- transaction_json, version 2: a transactions row as the JSON wallet_transfer answers with
-- (amounts and seq as text), read by toTransaction in src/domain/transactions/transaction.repository.ts.
--
-- Released files never change (SHA256SUMS). Version 2 is version 1
-- (Migration20261128030000_transfer_function) with its body unindented.
CREATE OR REPLACE FUNCTION public.transaction_json(t transactions)
 RETURNS jsonb
 LANGUAGE sql
 STABLE
AS $function$
select jsonb_build_object(
  'id', t.id, 'seq', t.seq::text, 'user_id', t.user_id, 'account_id', t.account_id,
  'transfer_id', t.transfer_id, 'type', t.type, 'status', t.status, 'direction', t.direction,
  'amount', t.amount::text, 'currency', t.currency, 'description', t.description,
  'reference', t.reference, 'counterparty_user_id', t.counterparty_user_id,
  'merchant', t.merchant, 'failure_reason', t.failure_reason,
  'created_at', t.created_at, 'updated_at', t.updated_at)
$function$;
