-- payment_json, version 1: a payments row as JSON, amounts as text (a bigint does not fit a
-- JSON number), with the columns PaymentRepository reads (toPayment).
--
-- Released files never change (SHA256SUMS): a change is the next version and a new migration.
CREATE OR REPLACE FUNCTION public.payment_json(p payments)
 RETURNS jsonb
 LANGUAGE sql
 STABLE
AS $function$
select jsonb_build_object(
  'id', p.id, 'reference', p.reference, 'kind', p.kind, 'provider', p.provider, 'status', p.status,
  'user_id', p.user_id, 'account_id', p.account_id, 'transaction_id', p.transaction_id,
  'transfer_id', p.transfer_id, 'amount', p.amount::text, 'currency', p.currency,
  'bank_code', p.bank_code, 'account_number', p.account_number, 'account_name', p.account_name,
  'checkout_url', p.checkout_url, 'attempts', p.attempts, 'expires_at', p.expires_at)
$function$;
