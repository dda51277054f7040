-- audit_record, version 1: one row of the audit log (who did what to money, when, from where,
-- and how it ended).
--
-- The one home of the audit row: AuditService.record (every TypeScript path: deposits,
-- withdrawals, cards, webhooks, refusals) and wallet_transfer (version 6, a completed transfer)
-- call it, so the columns and their defaults are written once.
--
-- Released files never change (SHA256SUMS): to change this function, copy it to the next
-- version, change the copy, and add a migration that applies it (docs/architecture.md).
CREATE OR REPLACE FUNCTION public.audit_record(p_user uuid, p_action text, p_outcome text, p_request_id text, p_ip text, p_details jsonb)
 RETURNS void
 LANGUAGE sql
AS $function$
insert into audit_log (user_id, action, outcome, request_id, ip, details)
values (p_user, p_action, p_outcome, p_request_id, p_ip, coalesce(p_details, '{}'::jsonb))
$function$;
