-- idempotency_claim, version 1: claims an idempotency key for a request (money rule 6), the one
-- home of that step for every mutation that takes a key.
--
-- Inserts the key with the request's operation and fingerprint (and, when the answer is known
-- before the work, the answer: wallet_transfer's row ids are its caller's). Answers null when the
-- key is now this request's; the effect follows in the same transaction, so a rollback frees the
-- key again. When the key was there already it answers the row as stored, {"found", "operation",
-- "fingerprint", "result"} ("found" false when it vanished meanwhile), and the caller replays it
-- or refuses (IdempotencyService.replayOf: another fingerprint is a reuse, no result yet is "in
-- progress"). A repeat arriving while the first request still holds the key waits for it at most
-- 5 s, then fails with SQLSTATE 55P03 (IDEMPOTENCY_KEY_IN_PROGRESS). The work after a claim waits
-- for locks without that limit. Called by IdempotencyService.run and by wallet_transfer.
--
-- Released files never change (SHA256SUMS): a change is the next version and a new migration.
CREATE OR REPLACE FUNCTION public.idempotency_claim(p_user uuid, p_key text, p_operation text, p_fingerprint text, p_result jsonb)
 RETURNS jsonb
 LANGUAGE plpgsql
AS $function$
declare
  v_key idempotency_keys%rowtype;
  v_claimed boolean;
begin
  perform set_config('lock_timeout', '5s', true);
  insert into idempotency_keys (user_id, key, operation, fingerprint, result)
  values (p_user, p_key, p_operation, p_fingerprint, p_result)
  on conflict (user_id, key) do nothing;
  v_claimed := found;
  if v_claimed then
    perform set_config('lock_timeout', '0', true);
    return null;
  end if;
  select * into v_key from idempotency_keys where user_id = p_user and key = p_key;
  return jsonb_build_object('found', v_key.user_id is not null, 'operation', v_key.operation,
    'fingerprint', v_key.fingerprint, 'result', v_key.result);
end
$function$;
