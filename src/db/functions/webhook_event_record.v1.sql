-- webhook_event_record, version 1: records a payment provider's event, in the transaction of its
-- effect, so it is applied once however often it arrives (money rule 7).
--
-- Called by deposit_settle and payout_settle with {"eventKey", "provider", "type", "reference"}:
-- true when the event is new (the caller applies it), false when it was applied before (the
-- caller answers DUPLICATE and changes nothing). A rolled-back effect takes the record with it,
-- so the provider's next delivery is applied. Card issuers' events go through
-- WebhookEventRepository.record, the same insert.
--
-- Released files never change (SHA256SUMS): a change is the next version and a new migration.
CREATE OR REPLACE FUNCTION public.webhook_event_record(p_event jsonb)
 RETURNS boolean
 LANGUAGE plpgsql
AS $function$
begin
  insert into webhook_events (event_key, provider, type, reference, outcome)
  values (p_event->>'eventKey', p_event->>'provider', p_event->>'type', p_event->>'reference', 'APPLIED')
  on conflict (event_key) do nothing;
  return found;
end
$function$;
