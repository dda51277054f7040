import 'reflect-metadata';
import { describe, expect, it } from 'vitest';
import { TransferDocument, VerifyEmailDocument, WithdrawDocument } from '../generated/graphql.js';
import { readDevMailbox } from '../../src/domain/mail/dev-mailbox.repository.js';
import { createWallet, fund } from '../support/money.js';
import { waitFor } from '../support/helpers.js';
import { useTestServer } from '../support/server.js';
import { onlyError, signUp, uniqueEmail } from './auth-helpers.js';

/**
 * EMAIL_VERIFICATION_REQUIRED=true (production's default): an unverified user may not send or
 * withdraw; the refusal is FORBIDDEN with a reason, and nothing moves. Receiving, depositing and
 * reading stay open. Mail goes to the development mailbox (no SMTP_URL).
 */
const server = useTestServer({ EMAIL_VERIFICATION_REQUIRED: 'true', MAIL_WORKER_INTERVAL_MS: '100' });

async function verificationToken(email: string): Promise<string> {
  const mails = await waitFor(
    () => readDevMailbox(server.app.orm.em.fork(), { to: email }),
    (m) => m.length > 0,
  );
  expect(mails, `no verification mail to ${email}`).toHaveLength(1);
  return mails[0].text.match(/#token=([A-Za-z0-9_-]+)/)![1];
}

describe('EMAIL_VERIFICATION_REQUIRED=true', () => {
  it('refuses transfers and withdrawals of an unverified user with FORBIDDEN and a reason, then allows them once verified', async () => {
    const email = uniqueEmail('sender');
    const sender = await signUp(server, { email });
    const recipient = await signUp(server);
    const walletId = await createWallet(server.app, sender.user.id);
    await createWallet(server.app, recipient.user.id);
    await fund(server.app, walletId, 100_000n);

    const transfer = (key: string) =>
      server.gql(
        TransferDocument,
        { input: { fromWalletId: walletId, recipientEmail: recipient.user.email, amount: '1000', idempotencyKey: key } },
        { token: sender.accessToken },
      );
    const withdraw = (key: string) =>
      server.gql(
        WithdrawDocument,
        { input: { walletId, amount: '1000', bankCode: '001', accountNumber: '0123456789', idempotencyKey: key } },
        { token: sender.accessToken },
      );

    for (const refused of [await transfer('t-1'), await withdraw('w-1')]) {
      const error = onlyError(refused);
      expect(error.code).toBe('FORBIDDEN');
      expect(error.extensions.reason).toBe('EMAIL_NOT_VERIFIED');
      expect(error.message).toMatch(/verify your email address/i);
    }
    const [{ n }] = await server.app.orm.em.fork().execute<{ n: string }[]>("select count(*) as n from transactions where type in ('TRANSFER', 'WITHDRAWAL')");
    expect(Number(n)).toBe(0);

    const verified = await server.gql(VerifyEmailDocument, { input: { token: await verificationToken(email) } });
    expect(verified.errors, JSON.stringify(verified.errors)).toBeUndefined();

    const sent = await transfer('t-2');
    expect(sent.errors, JSON.stringify(sent.errors)).toBeUndefined();
    expect(sent.data!.transfer.transaction.status).toBe('COMPLETED');
    const withdrawn = await withdraw('w-2');
    expect(withdrawn.errors, JSON.stringify(withdrawn.errors)).toBeUndefined();
  });

  it('lets a user verified before this process started send', async () => {
    const sender = await signUp(server);
    const recipient = await signUp(server);
    await server.app.orm.em.fork().execute('update users set email_verified_at = now() where id = ?', [sender.user.id]);
    const walletId = await createWallet(server.app, sender.user.id);
    await createWallet(server.app, recipient.user.id);
    await fund(server.app, walletId, 10_000n);
    const res = await server.gql(
      TransferDocument,
      { input: { fromWalletId: walletId, recipientEmail: recipient.user.email, amount: '100', idempotencyKey: 'verified-before' } },
      { token: sender.accessToken },
    );
    expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
  });

  it('says the same to a user whose verification is still on its way, and keeps reads open', async () => {
    const user = await signUp(server);
    const walletId = await createWallet(server.app, user.user.id);
    const res = await server.gql(
      TransferDocument,
      { input: { fromWalletId: walletId, recipientEmail: 'someone@example.com', amount: '1', idempotencyKey: 'k' } },
      { token: user.accessToken },
    );
    expect(onlyError(res).extensions.reason).toBe('EMAIL_NOT_VERIFIED');
  });
});
