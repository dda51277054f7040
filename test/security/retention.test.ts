import { describe, expect, it } from 'vitest';
import { DepositDocument, CreateWalletDocument, LogOutDocument, SignUpDocument } from '../generated/graphql.js';
import { sql, waitFor } from '../support/helpers.js';
import { startTestServer, useTestServer } from '../support/server.js';

/**
 * Retention: idempotency keys, ended sessions with their refresh tokens, and webhook events are
 * deleted once past their time (RETENTION_*, 30 days by default) by a job on every replica; the
 * audit log is kept. Rows are aged here by moving their timestamps back.
 */
// The job also runs at start and hourly: nothing it does can overlap these tests' own pass.
const server = useTestServer();

let n = 0;
async function user() {
  n += 1;
  const res = await server.gql(SignUpDocument, { input: { email: `old${n}@example.com`, password: 'k3#Lp9!q', fullName: 'Old' } });
  return res.data!.signUp;
}

const count = async (table: string, where = 'true', params: unknown[] = []) =>
  (await sql<{ n: number }>(server, `select count(*)::int as n from ${table} where ${where}`, params))[0].n;

describe('retention', () => {
  it('deletes what is past its time, keeps what is not, and keeps the audit log', async () => {
    // An old user: a key, a logged-out session and a webhook event, all 31 days old.
    const old = await user();
    const walletId = (await server.gql(CreateWalletDocument, { input: { currency: 'NGN' } }, { token: old.accessToken })).data!.createWallet.wallet.id;
    await server.gql(DepositDocument, { input: { walletId, amount: '1000', idempotencyKey: 'old-key' } }, { token: old.accessToken });
    await server.gql(LogOutDocument, {}, { token: old.accessToken });
    await sql(server, `insert into webhook_events (event_key, provider, type, reference, outcome, received_at) values ('old-event', 'sandbox', 'x', 'r', 'IGNORED', now() - interval '31 days')`);
    await sql(server, `update idempotency_keys set created_at = now() - interval '31 days' where user_id = ?`, [old.user.id]);
    await sql(server, `update auth_sessions set created_at = now() - interval '40 days', revoked_at = now() - interval '31 days' where user_id = ?`, [old.user.id]);
    // A live user whose session is as old but whose refresh token is still good, and a fresh key and event.
    const live = await user();
    await sql(server, `update auth_sessions set created_at = now() - interval '40 days' where user_id = ?`, [live.user.id]);
    const liveWallet = (await server.gql(CreateWalletDocument, { input: { currency: 'NGN' } }, { token: live.accessToken })).data!.createWallet.wallet.id;
    await server.gql(DepositDocument, { input: { walletId: liveWallet, amount: '1000', idempotencyKey: 'new-key' } }, { token: live.accessToken });
    await sql(server, `insert into webhook_events (event_key, provider, type, reference, outcome, received_at) values ('new-event', 'sandbox', 'x', 'r', 'IGNORED', now() - interval '29 days')`);
    const audit = await count('audit_log');

    const pruned = await server.app.services.track(() =>
      import('../../src/domain/retention/retention.repository.js').then(({ RetentionRepository }) =>
        new RetentionRepository().prune(server.app.orm.em.fork(), server.app.config.retention),
      ),
    );
    expect(pruned).toMatchObject({ idempotencyKeys: 1, sessions: 1, webhookEvents: 1 });
    expect(await count('idempotency_keys', 'user_id = ?', [old.user.id])).toBe(0);
    expect(await count('auth_sessions', 'user_id = ?', [old.user.id])).toBe(0);
    expect(await count('refresh_tokens t join auth_sessions s on s.id = t.session_id', 's.user_id = ?', [old.user.id])).toBe(0);
    expect(await count('webhook_events', `event_key = 'old-event'`)).toBe(0);
    // What is not past its time stays, and nothing of the money or the audit log goes.
    expect(await count('idempotency_keys', 'user_id = ?', [live.user.id])).toBe(1);
    expect(await count('auth_sessions', 'user_id = ?', [live.user.id])).toBe(1);
    expect(await count('webhook_events', `event_key = 'new-event'`)).toBe(1);
    expect(await count('transactions', 'user_id = ?', [old.user.id])).toBe(1);
    expect(await count('audit_log')).toBeGreaterThanOrEqual(audit);
    // The live user is still signed in.
    expect((await server.raw('{ me { id } }', {}, { token: live.accessToken })).data).toEqual({ me: { id: live.user.id } });
  });

  it('deletes mail the outbox is done with and dead account tokens, never mail still to send', async () => {
    const person = await user();
    // Sign-up wrote a verification mail; it is sent (the development mailbox) within a moment.
    await waitFor(() => count('mail_outbox', `status = 'SENT'`), (n) => n === 1, 5_000);
    await sql(server, `insert into mail_outbox (id, kind, to_address, status, created_at) values
      (gen_random_uuid(), 'PASSWORD_CHANGED', 'old-failed@example.com', 'FAILED', now() - interval '31 days'),
      (gen_random_uuid(), 'PASSWORD_CHANGED', 'old-pending@example.com', 'PENDING', now() - interval '31 days')`);
    await sql(server, `update mail_outbox set created_at = now() - interval '31 days' where status = 'SENT'`);
    await sql(server, `update dev_mailbox set created_at = now() - interval '31 days'`);
    await sql(server, `insert into account_tokens (id, user_id, purpose, email, token_hash, expires_at, used_at) values
      (gen_random_uuid(), ?, 'RESET_PASSWORD', 'x@example.com', 'h1', now() - interval '31 days', null),
      (gen_random_uuid(), ?, 'RESET_PASSWORD', 'x@example.com', 'h2', now() + interval '1 day', now() - interval '31 days'),
      (gen_random_uuid(), ?, 'VERIFY_EMAIL', 'x@example.com', 'h3', now() - interval '1 day', null)`, [person.user.id, person.user.id, person.user.id]);

    const { RetentionRepository } = await import('../../src/domain/retention/retention.repository.js');
    const pruned = await new RetentionRepository().prune(server.app.orm.em.fork(), server.app.config.retention);
    expect(pruned).toMatchObject({ mail: 3, accountTokens: 2 });
    expect(await sql(server, 'select to_address, status from mail_outbox')).toEqual([{ to_address: 'old-pending@example.com', status: 'PENDING' }]);
    expect(await count('dev_mailbox')).toBe(0);
    // The sign-up's own live token stays too.
    expect(await sql(server, `select token_hash from account_tokens where token_hash in ('h1', 'h2', 'h3')`)).toEqual([{ token_hash: 'h3' }]);
    expect(await count('account_tokens')).toBe(2);
  });

  it('runs by itself on every replica, on RETENTION_JOB_INTERVAL_MS', async () => {
    const other = await startTestServer({ RETENTION_JOB_INTERVAL_MS: '200' });
    try {
      await sql(other, `insert into webhook_events (event_key, provider, type, reference, outcome, received_at) values ('stale', 'sandbox', 'x', 'r', 'IGNORED', now() - interval '90 days')`);
      const left = () => sql<{ n: number }>(other, `select count(*)::int as n from webhook_events where event_key = 'stale'`);
      await waitFor(left, (rows) => rows[0].n === 0, 5_000);
      // Logged once the whole pass is done, a moment after its last delete committed.
      await waitFor(async () => other.logs.some((l) => l.includes('retention: old rows deleted')), (logged) => logged, 5_000);
    } finally {
      await other.close();
    }
  });
});
