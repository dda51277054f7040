-- idempotency_refusal, version 1: records a business refusal on an idempotency key as the answer
-- every repeat of the request gets (money rule 6), worded by the caller.
--
-- Called by deposit_open and withdraw_hold when their block raised SQLSTATE WR001 (a limit, the
-- balance): p_refusals is the caller's wording by refusal name ({"code", "message", "extensions"},
-- from the feature's errors file: SQL holds no words), p_refusal the name the block raised, p_detail
-- its JSON detail (the figures: limit, room, used today), merged into the extensions. Answers the
-- recorded {"error": …}. wallet_transfer (version 6) does the same in its own body; its next
-- version should call this.
--
-- Released files never change (SHA256SUMS): a change is the next version and a new migration.
CREATE OR REPLACE FUNCTION public.idempotency_refusal(p_user uuid, p_key text, p_refusals jsonb, p_refusal text, p_detail text)
 RETURNS jsonb
 LANGUAGE plpgsql
AS $function$
declare
  v_result jsonb;
begin
  v_result := jsonb_build_object('error', jsonb_build_object(
    'code', p_refusals->p_refusal->>'code', 'message', p_refusals->p_refusal->>'message',
    'extensions', coalesce(p_refusals->p_refusal->'extensions', '{}'::jsonb) || coalesce(nullif(p_detail, ''), '{}')::jsonb));
  update idempotency_keys set result = v_result where user_id = p_user and key = p_key;
  return v_result;
end
$function$;
