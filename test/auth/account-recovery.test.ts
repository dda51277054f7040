import 'reflect-metadata';
import { describe, expect, it } from 'vitest';
import {
  ChangeEmailDocument,
  ChangePasswordDocument,
  LogInDocument,
  MeDocument,
  RequestPasswordResetDocument,
  ResendVerificationEmailDocument,
  ResetPasswordDocument,
  VerifyEmailDocument,
} from '../generated/graphql.js';
import { sql } from '../support/helpers.js';
import { linkToken, mailCode, mailLink, useMailServer } from '../support/mail.js';
import { useTestServer } from '../support/server.js';
import { fromIp, logIn, onlyError, PASSWORD, refresh, signUp, uniqueEmail, whoAmI } from './auth-helpers.js';

/**
 * Account recovery over real SMTP: the server under test sends through nodemailer to a real
 * SMTP server (smtp-server) started here, and the tests read what it accepted.
 */

const mail = useMailServer();
const server = useTestServer(() => ({
  SMTP_URL: mail.url,
  MAIL_FROM: 'Wallet <no-reply@wallet.test>',
  WEB_APP_URL: 'https://app.wallet.test',
  MAIL_WORKER_INTERVAL_MS: '100',
  MAIL_RETRY_BASE_SECONDS: '1',
  TRUST_PROXY: 'true',
}));

const NEW_PASSWORD = 'a brand new passphrase';
let ipCounter = 0;
/** A client address of its own, so per-IP limits of one test never touch another. */
const freshIp = () => fromIp(`198.51.100.${++ipCounter}`);

const verifyEmail = (token: string, accessToken?: string) =>
  server.gql(VerifyEmailDocument, { input: { token } }, { token: accessToken, headers: freshIp() });
const requestReset = (email: string, headers = freshIp()) => server.gql(RequestPasswordResetDocument, { input: { email } }, { headers });
const resetPassword = (token: string, newPassword = NEW_PASSWORD) =>
  server.gql(ResetPasswordDocument, { input: { token, newPassword } }, { headers: freshIp() });
const isKind = (kind: string) => (m: { kind: string }) => m.kind === kind;

async function emailVerified(accessToken: string): Promise<boolean> {
  const res = await server.gql(MeDocument, {}, { token: accessToken });
  return res.data!.me!.emailVerified;
}

/** Waits until no outbox row is left to send (sent, skipped or failed). */
async function outboxSettled(): Promise<Array<{ kind: string; to_address: string; status: string; attempts: number }>> {
  for (let i = 0; i < 150; i++) {
    const rows = await sql<{ kind: string; to_address: string; status: string; attempts: number }>(
      server,
      'select kind, to_address, status, attempts from mail_outbox order by created_at',
    );
    if (rows.every((r) => r.status !== 'PENDING')) return rows;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the outbox did not settle');
}

describe('email verification', () => {
  it('mails a link and a code after sign-up; the link verifies the address once, signed in or not', async () => {
    const email = uniqueEmail('verify');
    const session = await signUp(server, { email, fullName: 'Ada Lovelace' });
    expect(session.user.emailVerified).toBe(false);

    const message = await mail.waitFor(email, isKind('VERIFY_EMAIL'));
    expect(message.from).toBe('no-reply@wallet.test');
    expect(message.subject).toMatch(/verify your email/i);
    expect(message.text).toContain('Hello Ada Lovelace,');
    expect(message.html).toContain(mailLink(message).replace(/&/g, '&amp;'));
    expect(mailLink(message)).toMatch(/^https:\/\/app\.wallet\.test\/verify-email#token=/);
    expect(message.messageId).toMatch(/^<[0-9a-f-]{36}@/);

    const res = await verifyEmail(linkToken(message));
    expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
    expect(res.data!.verifyEmail).toEqual({ email, emailChanged: false, user: null });
    expect(await emailVerified(session.accessToken)).toBe(true);

    const again = onlyError(await verifyEmail(linkToken(message)));
    expect(again.code).toBe('BAD_USER_INPUT');
    expect(again.extensions.field).toBe('input.token');
  });

  it('trims what is pasted, and takes only exactly six digits as a code', async () => {
    const email = uniqueEmail('paste');
    const session = await signUp(server, { email });
    const message = await mail.waitFor(email, isKind('VERIFY_EMAIL'));
    // Seven digits, or six with something before: not a code, so not a sign-in matter.
    expect(onlyError(await verifyEmail('1234567')).code).toBe('BAD_USER_INPUT');
    expect(onlyError(await verifyEmail('x123456')).code).toBe('BAD_USER_INPUT');
    expect(onlyError(await verifyEmail('123456x')).code).toBe('BAD_USER_INPUT');
    const res = await verifyEmail(`  ${mailCode(message)}\n`, session.accessToken);
    expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();

    const other = uniqueEmail('paste-link');
    await signUp(server, { email: other });
    const link = await verifyEmail(` ${linkToken(await mail.waitFor(other, isKind('VERIFY_EMAIL')))} `);
    expect(link.errors, JSON.stringify(link.errors)).toBeUndefined();
  });

  it('counts a wrong code against every live code of the user (a pending change and the sign-up one)', async () => {
    const email = uniqueEmail('two-codes');
    const session = await signUp(server, { email });
    const newEmail = uniqueEmail('two-codes-new');
    await server.gql(ChangeEmailDocument, { input: { newEmail, currentPassword: PASSWORD } }, { token: session.accessToken });
    const signUpCode = mailCode(await mail.waitFor(email, isKind('VERIFY_EMAIL')));
    const changeCode = mailCode(await mail.waitFor(newEmail, isKind('CONFIRM_EMAIL_CHANGE')));
    const wrong = ['000000', '111111', '222222'].find((c) => c !== signUpCode && c !== changeCode)!;
    expect(onlyError(await verifyEmail(wrong, session.accessToken)).code).toBe('BAD_USER_INPUT');
    const attempts = await sql<{ purpose: string; code_attempts: number }>(
      server,
      'select purpose, code_attempts from account_tokens where user_id = ? and used_at is null order by purpose',
      [session.user.id],
    );
    expect(attempts).toEqual([
      { purpose: 'CHANGE_EMAIL', code_attempts: 1 },
      { purpose: 'VERIFY_EMAIL', code_attempts: 1 },
    ]);
  });

  it('is seen at once in answers the response cache held (me with its wallets)', async () => {
    const email = uniqueEmail('cached');
    const session = await signUp(server, { email });
    await server.raw('mutation { createWallet(input: { currency: NGN }) { wallet { id } } }', {}, { token: session.accessToken });
    const read = async () => ((await server.raw('{ me { id emailVerified wallets { id } } }', {}, { token: session.accessToken })).data as { me: { emailVerified: boolean } }).me.emailVerified;
    expect(await read()).toBe(false);
    expect(await read()).toBe(false);
    const res = await verifyEmail(linkToken(await mail.waitFor(email, isKind('VERIFY_EMAIL'))));
    expect(res.errors).toBeUndefined();
    expect(await read()).toBe(true);
  });

  it('takes the 6-digit code from the signed-in owner only; five wrong codes end the code but not the link', async () => {
    const email = uniqueEmail('code');
    const session = await signUp(server, { email });
    const message = await mail.waitFor(email, isKind('VERIFY_EMAIL'));
    const code = mailCode(message);

    expect(onlyError(await verifyEmail(code)).code).toBe('UNAUTHENTICATED');
    const wrong = code === '000000' ? '111111' : '000000';
    for (let i = 0; i < 5; i++) expect(onlyError(await verifyEmail(wrong, session.accessToken)).code).toBe('BAD_USER_INPUT');
    expect(onlyError(await verifyEmail(code, session.accessToken)).code).toBe('BAD_USER_INPUT');
    expect(await emailVerified(session.accessToken)).toBe(false);

    const viaLink = await verifyEmail(linkToken(message), session.accessToken);
    expect(viaLink.data!.verifyEmail.user).toMatchObject({ id: session.user.id, emailVerified: true });
  });

  it('verifies with the right code, and another user cannot use it', async () => {
    const email = uniqueEmail('code-ok');
    const owner = await signUp(server, { email });
    const stranger = await signUp(server);
    const code = mailCode(await mail.waitFor(email, isKind('VERIFY_EMAIL')));

    expect(onlyError(await verifyEmail(code, stranger.accessToken)).code).toBe('BAD_USER_INPUT');
    const res = await verifyEmail(code, owner.accessToken);
    expect(res.errors).toBeUndefined();
    expect(res.data!.verifyEmail.user).toMatchObject({ id: owner.user.id, emailVerified: true });
    expect(await emailVerified(stranger.accessToken)).toBe(false);
  });

  it('resends a new link that replaces the old one, refuses once verified, and is rate limited', async () => {
    const email = uniqueEmail('resend');
    const session = await signUp(server, { email });
    const first = await mail.waitFor(email, isKind('VERIFY_EMAIL'));

    const resent = await server.gql(ResendVerificationEmailDocument, {}, { token: session.accessToken });
    expect(resent.data!.resendVerificationEmail.email).toBe(email);
    const second = await mail.waitFor(email, (m) => m.kind === 'VERIFY_EMAIL' && m !== first);
    expect(linkToken(second)).not.toBe(linkToken(first));

    expect(onlyError(await verifyEmail(linkToken(first))).code).toBe('BAD_USER_INPUT');
    expect((await verifyEmail(linkToken(second))).errors).toBeUndefined();

    const done = onlyError(await server.gql(ResendVerificationEmailDocument, {}, { token: session.accessToken }));
    expect(done.code).toBe('BAD_USER_INPUT');
    expect(onlyError(await server.gql(ResendVerificationEmailDocument, {})).code).toBe('UNAUTHENTICATED');
  });

  it('limits how many mails one user can ask for', async () => {
    const session = await signUp(server);
    const codes: unknown[] = [];
    for (let i = 0; i < 6; i++) {
      const res = await server.gql(ResendVerificationEmailDocument, {}, { token: session.accessToken });
      codes.push(res.errors?.[0]?.extensions?.code ?? 'ok');
    }
    expect(codes).toEqual(['ok', 'ok', 'ok', 'ok', 'ok', 'RATE_LIMITED']);
  });
});

describe('password reset', () => {
  it('answers the same for a registered and an unregistered address, and mails only the registered one', async () => {
    const email = uniqueEmail('reset');
    await signUp(server, { email });
    await mail.waitFor(email, isKind('VERIFY_EMAIL'));
    const nobody = uniqueEmail('nobody');

    const known = await requestReset(email.toUpperCase());
    const unknown = await requestReset(nobody);
    expect(known.errors).toBeUndefined();
    expect(unknown.status).toBe(known.status);
    expect(unknown.data).toEqual(known.data);
    expect(known.data!.requestPasswordReset.accepted).toBe(true);

    const message = await mail.waitFor(email, isKind('PASSWORD_RESET'));
    expect(mailLink(message)).toMatch(/^https:\/\/app\.wallet\.test\/reset-password#token=/);
    expect(message.text).toContain('30 minutes');
    const rows = await outboxSettled();
    expect(rows.filter((r) => r.kind === 'PASSWORD_RESET').map((r) => [r.to_address, r.status])).toEqual([
      [email, 'SENT'],
      [nobody, 'SKIPPED'],
    ]);
    expect(mail.received.filter((m) => m.to === nobody)).toHaveLength(0);
    const [skipped] = await sql<{ last_error: string }>(server, 'select last_error from mail_outbox where to_address = ?', [nobody]);
    expect(skipped.last_error).toBe('no account has this address');
    // A reset mail carries a link and no code.
    expect(message.text).not.toMatch(/Code:/);
  });

  it('sets the password, ends every session, works once, verifies the address and sends a notice', async () => {
    const email = uniqueEmail('reset-ok');
    const first = await signUp(server, { email });
    const second = await logIn(server, email);
    await requestReset(email);
    const token = linkToken(await mail.waitFor(email, isKind('PASSWORD_RESET')));

    const res = await resetPassword(token);
    expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
    expect(res.data!.resetPassword.revokedSessions).toBe(2);
    for (const s of [first, second]) {
      expect(await whoAmI(server, s.accessToken)).toBeNull();
      expect(onlyError(await refresh(server, s.refreshToken)).code).toBe('UNAUTHENTICATED');
    }
    const reasons = await sql<{ revoked_reason: string }>(server, 'select distinct revoked_reason from auth_sessions where user_id = ?', [
      first.user.id,
    ]);
    expect(reasons).toEqual([{ revoked_reason: 'PASSWORD_RESET' }]);

    expect(onlyError(await server.gql(LogInDocument, { input: { email, password: PASSWORD } })).code).toBe('INVALID_CREDENTIALS');
    const signedIn = await logIn(server, email, NEW_PASSWORD);
    expect(signedIn.user.emailVerified).toBe(true);

    const reused = onlyError(await resetPassword(token, 'yet another passphrase'));
    expect(reused.code).toBe('BAD_USER_INPUT');
    expect(reused.extensions.field).toBe('input.token');

    const notice = await mail.waitFor(email, isKind('PASSWORD_WAS_RESET'));
    expect(notice.text).toMatch(/password of your account was just reset/);
    expect(notice.text).not.toMatch(/#token=/);
  });

  it('ends the sessions of that account only, and takes a token once when two tabs use it at once', async () => {
    const email = uniqueEmail('reset-race');
    const owner = await signUp(server, { email });
    const bystander = await signUp(server);
    await requestReset(email);
    const token = linkToken(await mail.waitFor(email, isKind('PASSWORD_RESET')));

    const [a, b] = await Promise.all([resetPassword(token, 'first tab passphrase'), resetPassword(token, 'second tab passphrase')]);
    const outcomes = [a, b].map((r) => r.errors?.[0]?.extensions?.code ?? 'ok').sort();
    expect(outcomes).toEqual(['BAD_USER_INPUT', 'ok']);
    expect(await whoAmI(server, owner.accessToken)).toBeNull();
    expect(await whoAmI(server, bystander.accessToken)).toBe(bystander.user.id);
    const winner = a.errors ? 'second tab passphrase' : 'first tab passphrase';
    expect((await logIn(server, email, winner)).user.id).toBe(owner.user.id);
  });

  it('takes a pasted reset token with spaces around it', async () => {
    const email = uniqueEmail('reset-paste');
    await signUp(server, { email });
    await requestReset(email);
    const token = linkToken(await mail.waitFor(email, isKind('PASSWORD_RESET')));
    const res = await resetPassword(`  ${token}\n`);
    expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
    expect((await logIn(server, email, NEW_PASSWORD)).user.email).toBe(email);
  });

  it('says a dead link first, before judging the new password', async () => {
    const error = onlyError(await resetPassword('no-such-token', 'short'));
    expect([error.code, error.extensions.field]).toEqual(['BAD_USER_INPUT', 'input.token']);
  });

  it('refuses an expired, a forged and a superseded token; a weak password keeps the token usable', async () => {
    const email = uniqueEmail('reset-bad');
    await signUp(server, { email });
    await requestReset(email);
    const older = linkToken(await mail.waitFor(email, isKind('PASSWORD_RESET')));
    await requestReset(email);
    const newer = linkToken(await mail.waitFor(email, (m) => m.kind === 'PASSWORD_RESET' && linkToken(m) !== older));

    expect(onlyError(await resetPassword(older)).code).toBe('BAD_USER_INPUT');
    expect(onlyError(await resetPassword('forged' + newer.slice(6))).code).toBe('BAD_USER_INPUT');
    expect(onlyError(await resetPassword('')).code).toBe('BAD_USER_INPUT');

    const weak = onlyError(await resetPassword(newer, 'short'));
    expect(weak.code).toBe('BAD_USER_INPUT');
    expect(weak.extensions.field).toBe('input.newPassword');

    // Thirty minutes later (moved back in the database, as time would).
    await sql(server, "update account_tokens set expires_at = now() - interval '1 second' where purpose = 'RESET_PASSWORD'");
    const expired = onlyError(await resetPassword(newer));
    expect(expired.code).toBe('BAD_USER_INPUT');
    expect(expired.extensions.field).toBe('input.token');
    expect((await logIn(server, email)).user.email).toBe(email);
  });

  it('is rate limited per address and per IP, with the same answer whether the address exists', async () => {
    const email = uniqueEmail('reset-limit');
    await signUp(server, { email });
    const nobody = uniqueEmail('reset-limit-nobody');
    for (const address of [email, nobody]) {
      const codes: unknown[] = [];
      for (let i = 0; i < 4; i++) codes.push((await requestReset(address)).errors?.[0]?.extensions?.code ?? 'ok');
      expect(codes).toEqual(['ok', 'ok', 'ok', 'RATE_LIMITED']);
    }
    const ip = freshIp();
    const codes: unknown[] = [];
    for (let i = 0; i < 21; i++) codes.push((await requestReset(uniqueEmail('spray'), ip)).errors?.[0]?.extensions?.code ?? 'ok');
    expect(codes.filter((c) => c === 'ok')).toHaveLength(20);
    expect(codes[20]).toBe('RATE_LIMITED');
    expect(onlyError(await requestReset('not an address')).code).toBe('BAD_USER_INPUT');
  });
});

describe('email change', () => {
  it('confirms through the new address, tells the old one, and then signs in with the new one', async () => {
    const email = uniqueEmail('change');
    const session = await signUp(server, { email });
    const newEmail = uniqueEmail('changed');

    const res = await server.gql(ChangeEmailDocument, { input: { newEmail, currentPassword: PASSWORD } }, { token: session.accessToken });
    expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
    expect(res.data!.changeEmail).toMatchObject({ pendingEmail: newEmail, user: { email } });

    const told = await mail.waitFor(email, isKind('EMAIL_CHANGE_REQUESTED'));
    expect(told.text).toContain(newEmail);
    const confirm = await mail.waitFor(newEmail, isKind('CONFIRM_EMAIL_CHANGE'));
    // Nothing changes before the new address is confirmed.
    expect((await logIn(server, email)).user.email).toBe(email);

    const verified = await verifyEmail(mailCode(confirm), session.accessToken);
    expect(verified.errors, JSON.stringify(verified.errors)).toBeUndefined();
    expect(verified.data!.verifyEmail).toMatchObject({ email: newEmail, emailChanged: true, user: { email: newEmail, emailVerified: true } });

    const changed = await mail.waitFor(email, isKind('EMAIL_CHANGED'));
    expect(changed.text).toContain(newEmail);
    expect(onlyError(await server.gql(LogInDocument, { input: { email, password: PASSWORD } })).code).toBe('INVALID_CREDENTIALS');
    expect((await logIn(server, newEmail)).user.id).toBe(session.user.id);
    expect(onlyError(await verifyEmail(linkToken(confirm))).code).toBe('BAD_USER_INPUT');
  });

  it('refuses a wrong password, an unchanged, invalid or taken address', async () => {
    const email = uniqueEmail('change-bad');
    const session = await signUp(server, { email });
    const taken = uniqueEmail('taken');
    await signUp(server, { email: taken });
    const change = (newEmail: string, currentPassword = PASSWORD) =>
      server.gql(ChangeEmailDocument, { input: { newEmail, currentPassword } }, { token: session.accessToken });

    expect(onlyError(await change(uniqueEmail(), 'wrong password')).code).toBe('INVALID_CREDENTIALS');
    const same = onlyError(await change(email.toUpperCase()));
    expect([same.code, same.extensions.field]).toEqual(['BAD_USER_INPUT', 'input.newEmail']);
    const invalid = onlyError(await change('no-at-sign'));
    expect([invalid.code, invalid.extensions.field]).toEqual(['BAD_USER_INPUT', 'input.newEmail']);
    const takenError = onlyError(await change(taken));
    expect([takenError.code, takenError.extensions.field]).toEqual(['EMAIL_TAKEN', 'input.newEmail']);
    expect(onlyError(await server.gql(ChangeEmailDocument, { input: { newEmail: uniqueEmail(), currentPassword: PASSWORD } })).code).toBe(
      'UNAUTHENTICATED',
    );
  });

  it('refuses the confirmation when another account took the address meanwhile', async () => {
    const session = await signUp(server);
    const newEmail = uniqueEmail('race');
    await server.gql(ChangeEmailDocument, { input: { newEmail, currentPassword: PASSWORD } }, { token: session.accessToken });
    const confirm = await mail.waitFor(newEmail, isKind('CONFIRM_EMAIL_CHANGE'));
    await signUp(server, { email: newEmail });
    const error = onlyError(await verifyEmail(linkToken(confirm)));
    expect(error.code).toBe('EMAIL_TAKEN');
  });
});

describe('security notices and logs', () => {
  it('tells the owner when the password was changed', async () => {
    const email = uniqueEmail('notice');
    const session = await signUp(server, { email, fullName: 'Notice Reader' });
    const res = await server.gql(
      ChangePasswordDocument,
      { input: { currentPassword: PASSWORD, newPassword: NEW_PASSWORD } },
      { token: session.accessToken },
    );
    expect(res.errors).toBeUndefined();
    const notice = await mail.waitFor(email, isKind('PASSWORD_CHANGED'));
    expect(notice.subject).toMatch(/password was changed/i);
    expect(notice.text).toMatch(/^Hello Notice Reader,/);
    expect(notice.html).toContain('<p>');
  });

  it('never writes a token, a code or a body into a log line', async () => {
    const email = uniqueEmail('logs');
    await signUp(server, { email });
    await requestReset(email);
    const secrets = [
      linkToken(await mail.waitFor(email, isKind('VERIFY_EMAIL'))),
      mailCode(await mail.waitFor(email, isKind('VERIFY_EMAIL'))),
      linkToken(await mail.waitFor(email, isKind('PASSWORD_RESET'))),
    ];
    await resetPassword(secrets[2]);
    await verifyEmail(secrets[0]);
    const logs = server.logs.join('\n');
    for (const secret of secrets) expect(logs).not.toContain(secret);
    expect(logs).toContain('"msg":"mail sent"');
  });
});

describe('the outbox', () => {
  it('retries with backoff after the SMTP server refuses, and sends once', async () => {
    const email = uniqueEmail('retry');
    mail.refuse(email, 2);
    await signUp(server, { email });
    const message = await mail.waitFor(email, isKind('VERIFY_EMAIL'), 20_000);
    const rows = await outboxSettled();
    const row = rows.find((r) => r.to_address === email && r.kind === 'VERIFY_EMAIL')!;
    expect(row).toMatchObject({ status: 'SENT', attempts: 3 });
    expect(mail.received.filter((m) => m.to === email && m.kind === 'VERIFY_EMAIL')).toEqual([message]);
  });

  it('does not send what no longer applies when its turn comes', async () => {
    const verified = await signUp(server, { email: uniqueEmail('skip-verified') });
    await sql(server, 'update users set email_verified_at = now() where id = ?', [verified.user.id]);
    const moved = await signUp(server, { email: uniqueEmail('skip-moved') });
    await sql(
      server,
      `insert into mail_outbox (id, kind, user_id, to_address) values
        (gen_random_uuid(), 'VERIFY_EMAIL', ?, ?),
        (gen_random_uuid(), 'VERIFY_EMAIL', ?, 'skip-old-address@example.com'),
        (gen_random_uuid(), 'CONFIRM_EMAIL_CHANGE', ?, ?),
        (gen_random_uuid(), 'VERIFY_EMAIL', null, 'skip-gone@example.com')`,
      [verified.user.id, verified.user.email, moved.user.id, moved.user.id, moved.user.email],
    );
    await outboxSettled();
    const reasons = await sql<{ kind: string; last_error: string }>(
      server,
      // (The sign-up's own mail to the verified user may be skipped the same way, if it was not sent yet.)
      `select distinct kind, last_error from mail_outbox where status = 'SKIPPED' and to_address like 'skip-%' order by last_error`,
    );
    expect(reasons.map((r) => [r.kind, r.last_error]).sort((x, y) => (x[1] < y[1] ? -1 : 1))).toEqual([
      ['VERIFY_EMAIL', 'the account has another address now'],
      ['CONFIRM_EMAIL_CHANGE', 'the account has this address already'],
      ['VERIFY_EMAIL', 'the account no longer exists'],
      ['VERIFY_EMAIL', 'the address is verified already'],
    ]);
  });

  it('writes mail only when the change commits', async () => {
    const email = uniqueEmail('rollback');
    await signUp(server, { email });
    // A sign-up refused for a taken address leaves no mail behind.
    const again = await server.gql(
      (await import('../generated/graphql.js')).SignUpDocument,
      { input: { email, password: PASSWORD, fullName: 'Twice' } },
      { headers: freshIp() },
    );
    expect(onlyError(again).code).toBe('EMAIL_TAKEN');
    const rows = await sql<{ n: string }>(server, "select count(*) as n from mail_outbox where to_address = ? and kind = 'VERIFY_EMAIL'", [email]);
    expect(Number(rows[0].n)).toBe(1);
  });
});
