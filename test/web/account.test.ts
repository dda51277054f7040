import { gql } from '@apollo/client';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { LogInDocument, MeDocument, RequestPasswordResetDocument, ResetPasswordDocument, VerifyEmailDocument } from '../generated/graphql.js';
import { VersionedCache } from '../../web/src/cache.js';
import { createWallet, fund } from '../support/money.js';
import { accessibilityProblems, DESKTOP, mailCode, mailLinkPath, newPerson, openSignedIn, PHONE, useWebApp, waitForMail } from './support.js';

/**
 * Account recovery in the web app, in Chromium, as a person does it: the links in mail (read
 * from the server's development mailbox) opened in the browser, signed in or not; the code
 * entered in Settings; a forgotten password reset, which ends every session; an email change
 * confirmed with its code; the word on the wallets page and the refusal to move money while the
 * address is unverified (EMAIL_VERIFICATION_REQUIRED). At a desktop's and a phone's size,
 * scanned by axe-core.
 */
const web = useWebApp({ EMAIL_VERIFICATION_REQUIRED: 'true', MAIL_WORKER_INTERVAL_MS: '200' });

const VERIFY = /^Verify your email address/;
const RESET = /^Reset your .* password$/;
const CONFIRM_CHANGE = /^Confirm your new email address/;
const WRONG_CODE = 'That code is wrong or has expired. Use the code in the latest email, or ask for a new one.';
const NEW_PASSWORD = 'a brand new passphrase';

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The word on the wallets page while the address is not verified. */
const unverifiedNotice = (page: Page) => page.getByRole('status').filter({ hasText: 'is not verified yet' });
/** "Verified" or "Not verified", beside the address in Settings. */
const emailStatus = (page: Page) => page.locator('dl.details .status').innerText();

async function emailVerified(token: string): Promise<boolean> {
  const res = await web.server.gql(MeDocument, {}, { token });
  return res.data!.me!.emailVerified;
}

async function signIn(page: Page, email: string, password: string) {
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

describe('verifying the email address', () => {
  it('signs up in the browser, opens the emailed link and is verified: the token leaves the address bar, Settings and the wallets page say so', async () => {
    const email = `ada.${Date.now()}@example.com`;
    const page = await (await web.newContext(DESKTOP)).newPage();
    await page.goto('/sign-up');
    await page.getByLabel('Full name').fill('Ada Lovelace');
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill('correct horse battery');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByRole('heading', { name: 'Hello, Ada' }).waitFor();
    // A discreet word, with the way to Settings.
    expect(await unverifiedNotice(page).innerText()).toBe(`Your email address ${email} is not verified yet. Verify your email`);
    expect(await unverifiedNotice(page).getByRole('link', { name: 'Verify your email' }).getAttribute('href')).toBe('/settings');

    const mail = await waitForMail(web.server, email, VERIFY);
    const link = mailLinkPath(mail);
    expect(link).toMatch(/^\/verify-email#token=/);
    await page.goto(link);
    await page.getByRole('heading', { name: 'Email verified' }).waitFor();
    expect(await page.getByRole('status').filter({ hasText: 'is verified' }).innerText()).toBe(`${email} is verified.`);
    // Taken out of the address bar at once: not in the history, a bookmark or a screenshot.
    expect(page.url()).toBe(`${web.server.url}/verify-email`);
    expect(await page.evaluate(() => (globalThis as unknown as { location: { hash: string } }).location.hash)).toBe('');
    // In the fragment, it never reached the server's log.
    const token = link.split('#token=')[1];
    expect(web.server.logs.filter((line) => line.includes(token))).toEqual([]);
    expect(await accessibilityProblems(page)).toEqual([]);

    await page.getByRole('link', { name: 'Back to your wallets' }).click();
    await page.getByRole('heading', { name: 'Hello, Ada' }).waitFor();
    expect(await unverifiedNotice(page).count()).toBe(0);
    await page.getByRole('link', { name: 'Settings' }).click();
    await page.getByRole('heading', { name: 'Your account' }).waitFor();
    await expect.poll(() => emailStatus(page)).toBe('Verified');
    expect(await page.getByRole('heading', { name: 'Verify your email' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Resend email' }).count()).toBe(0);
  });

  it('works on another device, signed out; the same link again, or half of it, is refused in plain words with the way on (phone)', async () => {
    const person = await newPerson(web.server, 'Other Device');
    const mail = await waitForMail(web.server, person.email, VERIFY);
    const page = await (await web.newContext(PHONE)).newPage();
    await page.goto(mailLinkPath(mail));
    await page.getByRole('heading', { name: 'Email verified' }).waitFor();
    expect(await page.getByRole('status').filter({ hasText: 'is verified' }).innerText()).toBe(`${person.email} is verified.`);
    expect(await page.getByRole('link', { name: 'Sign in' }).getAttribute('href')).toBe('/sign-in');
    expect(await accessibilityProblems(page)).toEqual([]);
    expect(await emailVerified(person.token)).toBe(true);

    await page.goto(mailLinkPath(mail));
    await page.getByRole('heading', { name: 'This link did not work' }).waitFor();
    expect(await page.getByRole('alert').innerText()).toBe(
      'This link has expired or was already used. If you opened it before, your email may be verified already.',
    );
    await page.getByText('To ask for a new email, sign in and open Settings.').waitFor();
    expect(await accessibilityProblems(page)).toEqual([]);

    await page.goto('/verify-email');
    await page.getByRole('heading', { name: 'This link is incomplete' }).waitFor();
    await page.getByRole('link', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  });

  it('takes the code in Settings: a wrong one beside the input, a resent email makes the first code stale, its own code verifies, and the wallets page updates without a reload', async () => {
    const person = await newPerson(web.server, 'Code Person');
    const first = await waitForMail(web.server, person.email, VERIFY);
    const page = await openSignedIn(await web.newContext(DESKTOP), person);
    await unverifiedNotice(page).getByRole('link', { name: 'Verify your email' }).click();
    await page.waitForURL('**/settings');
    await page.getByRole('heading', { name: 'Verify your email' }).waitFor();
    await expect.poll(() => emailStatus(page)).toBe('Not verified');
    expect(await accessibilityProblems(page)).toEqual([]);

    const code = page.getByLabel('Code from the email');
    expect(await code.getAttribute('inputmode')).toBe('numeric');
    expect(await code.getAttribute('autocomplete')).toBe('one-time-code');
    await code.fill('12 34');
    await page.getByRole('button', { name: 'Confirm code' }).click();
    await expect.poll(() => page.getByRole('alert').innerText()).toBe('Enter the 6 digits of the code in the email.');

    const wrong = String((Number(mailCode(first)) + 1) % 1_000_000).padStart(6, '0');
    await code.fill(wrong);
    await page.getByRole('button', { name: 'Confirm code' }).click();
    await expect.poll(() => page.getByRole('alert').innerText()).toBe(WRONG_CODE);
    expect(await code.getAttribute('aria-invalid')).toBe('true');
    expect(await accessibilityProblems(page)).toEqual([]);

    await page.getByRole('button', { name: 'Resend email' }).click();
    await page.getByText(`A new email is on its way to ${person.email}.`).waitFor();
    const second = await waitForMail(web.server, person.email, VERIFY, [first]);
    await code.fill(mailCode(first));
    await page.getByRole('button', { name: 'Confirm code' }).click();
    await expect.poll(() => page.getByRole('alert').innerText()).toBe(WRONG_CODE);
    expect(await emailVerified(person.token)).toBe(false);

    await code.fill(mailCode(second));
    await page.getByRole('button', { name: 'Confirm code' }).click();
    await page.getByText(`${person.email} is verified.`).waitFor();
    await expect.poll(() => emailStatus(page)).toBe('Verified');
    expect(await page.getByRole('heading', { name: 'Verify your email' }).count()).toBe(0);
    expect(await emailVerified(person.token)).toBe(true);

    // The wallets page was loaded before, unverified: the cache now says verified.
    await page.getByRole('link', { name: 'Wallets' }).click();
    await page.getByRole('heading', { name: 'Hello, Code' }).waitFor();
    expect(await unverifiedNotice(page).count()).toBe(0);
  });

  it('refuses to send or withdraw while unverified, saying so with a link to verify; verified, the same payment goes through', async () => {
    const [alice, bob] = [await newPerson(web.server, 'Alice Unverified'), await newPerson(web.server, 'Bob Payee')];
    const walletId = await createWallet(web.server.app, alice.id);
    await createWallet(web.server.app, bob.id);
    await fund(web.server.app, walletId, 1_000_000n);
    const page = await openSignedIn(await web.newContext(PHONE), alice, `/send?wallet=${walletId}`);
    const sendTen = async () => {
      await page.getByLabel('Their email').fill(bob.email);
      await page.getByRole('button', { name: 'Continue' }).click();
      await page.getByLabel('Amount (NGN)').fill('10');
      await page.getByRole('button', { name: 'Continue' }).click();
      await page.getByRole('button', { name: 'Send now' }).click();
    };
    await sendTen();
    const refusal = page.getByRole('alert');
    await expect.poll(() => refusal.innerText()).toBe(
      'Verify your email address before you send or withdraw money. It takes a minute, in Settings. Verify your email',
    );
    expect(await refusal.getByRole('link', { name: 'Verify your email' }).getAttribute('href')).toBe('/settings');
    expect(await accessibilityProblems(page)).toEqual([]);

    await page.goto(`/withdraw?wallet=${walletId}`);
    await page.getByLabel('Bank', { exact: true }).selectOption({ label: 'Sandbox Bank' });
    await page.getByLabel('Account number').fill('0123456789');
    await page.getByText('Account name: Sandbox Account 6789').waitFor();
    await page.getByLabel('Amount (NGN)').fill('25');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('button', { name: 'Withdraw now' }).click();
    await expect.poll(() => refusal.innerText()).toMatch(/^Verify your email address before you send or withdraw money\./);

    await refusal.getByRole('link', { name: 'Verify your email' }).click();
    await page.waitForURL('**/settings');
    const mail = await waitForMail(web.server, alice.email, VERIFY);
    await page.getByLabel('Code from the email').fill(mailCode(mail));
    await page.getByRole('button', { name: 'Confirm code' }).click();
    await page.getByText(`${alice.email} is verified.`).waitFor();

    await page.goto(`/send?wallet=${walletId}`);
    await sendTen();
    await page.getByRole('heading', { name: 'Money sent' }).waitFor();
  });
});

describe('a forgotten password', () => {
  it('says the same for any address, mails a link that sets a new password, signs out every session, and the new password signs in', async () => {
    const person = await newPerson(web.server, 'Forgetful Person');
    const oldDevice = await openSignedIn(await web.newContext(PHONE), person);
    await oldDevice.getByRole('heading', { name: 'Hello, Forgetful' }).waitFor();

    const page = await (await web.newContext(DESKTOP)).newPage();
    await page.goto('/sign-in');
    await page.getByRole('link', { name: 'Forgot password?' }).click();
    await page.waitForURL('**/forgot-password');
    await page.getByRole('heading', { name: 'Reset your password' }).waitFor();
    expect(await accessibilityProblems(page)).toEqual([]);
    await page.getByRole('button', { name: 'Email me a link' }).click();
    await expect.poll(() => page.getByRole('alert').innerText()).toBe('Enter the email address of your account.');

    const nobody = `nobody.${Date.now()}@example.com`;
    for (const email of [nobody, person.email]) {
      await page.getByLabel('Email').fill(email);
      await page.getByRole('button', { name: 'Email me a link' }).click();
      await expect
        .poll(() => page.getByRole('status').innerText())
        .toBe(`If an account uses ${email}, a link to choose a new password is on its way; it works for 30 minutes.`);
      if (email === nobody) await page.getByRole('button', { name: 'Ask again' }).click();
    }
    expect(await accessibilityProblems(page)).toEqual([]);
    const mail = await waitForMail(web.server, person.email, RESET);
    // Mail is sent in order: by now the unknown address's turn has passed, and it got nothing.
    await expect(waitForMail(web.server, nobody, /./, [], 500)).rejects.toThrow(/no mail/);

    await page.goto(mailLinkPath(mail));
    await page.getByRole('heading', { name: 'Choose a new password' }).waitFor();
    expect(page.url()).toBe(`${web.server.url}/reset-password`);
    for (const label of ['New password', 'New password again']) {
      expect(await page.getByLabel(label, { exact: true }).getAttribute('autocomplete')).toBe('new-password');
    }
    expect(await accessibilityProblems(page)).toEqual([]);

    await page.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
    await page.getByLabel('New password again').fill('something else entirely');
    await page.getByRole('button', { name: 'Set new password' }).click();
    await expect.poll(() => page.getByRole('alert').innerText()).toBe('The two new passwords are not the same.');
    expect(await page.getByLabel('New password again').getAttribute('aria-invalid')).toBe('true');

    // Refused by the server, said beside the input; the link still works after it.
    await page.getByLabel('New password', { exact: true }).fill('password');
    await page.getByLabel('New password again').fill('password');
    await page.getByRole('button', { name: 'Set new password' }).click();
    await expect.poll(() => page.getByRole('alert').innerText()).toBe('Choose a longer, less common password (at least 8 characters).');
    expect(await page.getByLabel('New password', { exact: true }).getAttribute('aria-invalid')).toBe('true');

    await page.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
    await page.getByLabel('New password again').fill(NEW_PASSWORD);
    await page.getByRole('button', { name: 'Set new password' }).click();
    await page.getByRole('heading', { name: 'Password changed' }).waitFor();
    expect(await page.getByRole('status').innerText()).toMatch(
      /^Your password is changed, and every session of your account was signed out, on every device\.\s+Sign in with your new password\.$/,
    );
    expect(await accessibilityProblems(page)).toEqual([]);

    // The device signed in before is signed out, without anyone touching it.
    await oldDevice.waitForURL('**/sign-in', { timeout: 15_000 });
    expect(await oldDevice.evaluate(() => (globalThis as unknown as { localStorage: { getItem(k: string): string | null } }).localStorage.getItem('wallet.session'))).toBeNull();

    await page.getByRole('link', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await signIn(page, person.email, person.password);
    await expect.poll(() => page.getByRole('alert').innerText()).toBe('That email and password do not match.');
    await signIn(page, person.email, NEW_PASSWORD);
    await page.getByRole('heading', { name: 'Hello, Forgetful' }).waitFor();
  });

  it('a used link says so in plain words and leads to a new one; signed in here, the reset signs this page out too (phone)', async () => {
    const person = await newPerson(web.server, 'Used Link');
    const ask = () => web.server.gql(RequestPasswordResetDocument, { input: { email: person.email } });
    expect((await ask()).errors).toBeUndefined();
    const used = await waitForMail(web.server, person.email, RESET);
    const token = mailLinkPath(used).split('#token=')[1];
    expect((await web.server.gql(ResetPasswordDocument, { input: { token, newPassword: NEW_PASSWORD } })).errors).toBeUndefined();

    const page = await (await web.newContext(PHONE)).newPage();
    await page.goto(mailLinkPath(used));
    await page.getByLabel('New password', { exact: true }).fill('another good passphrase');
    await page.getByLabel('New password again').fill('another good passphrase');
    await page.getByRole('button', { name: 'Set new password' }).click();
    await page.getByRole('heading', { name: 'This link did not work' }).waitFor();
    expect(await page.getByRole('alert').innerText()).toBe('This link has expired or was already used. A reset link works once, for 30 minutes.');
    expect(await page.getByLabel('New password', { exact: true }).count()).toBe(0);
    expect(await accessibilityProblems(page)).toEqual([]);
    await page.getByRole('link', { name: 'Ask for a new link' }).click();
    await page.getByRole('heading', { name: 'Reset your password' }).waitFor();
    expect(await accessibilityProblems(page)).toEqual([]);

    // Opened while signed in on this device: the page works the same, and ends with it signed out.
    const login = await web.server.gql(LogInDocument, { input: { email: person.email, password: NEW_PASSWORD } });
    expect(login.errors).toBeUndefined();
    const signedIn = { session: { ...login.data!.logIn, user: { id: person.id, email: person.email, fullName: person.name } } };
    expect((await ask()).errors).toBeUndefined();
    const fresh = await waitForMail(web.server, person.email, RESET, [used]);
    const own = await openSignedIn(await web.newContext(PHONE), signedIn);
    await own.getByRole('heading', { name: 'Hello, Used' }).waitFor();
    await own.goto(mailLinkPath(fresh));
    await own.getByLabel('New password', { exact: true }).fill('a third good passphrase');
    await own.getByLabel('New password again').fill('a third good passphrase');
    await own.getByRole('button', { name: 'Set new password' }).click();
    await own.getByRole('heading', { name: 'Password changed' }).waitFor();
    expect(await own.evaluate(() => (globalThis as unknown as { localStorage: { getItem(k: string): string | null } }).localStorage.getItem('wallet.session'))).toBeNull();
    await own.getByRole('link', { name: 'Sign in' }).click();
    await signIn(own, person.email, 'a third good passphrase');
    await own.getByRole('heading', { name: 'Hello, Used' }).waitFor();
  });
});

describe('changing the email address', () => {
  it('asks for the password, says where the confirmation went, keeps the old address until the code is entered, then signs in with the new one only', async () => {
    const person = await newPerson(web.server, 'Moving Person');
    const verify = await waitForMail(web.server, person.email, VERIFY);
    expect((await web.server.gql(VerifyEmailDocument, { input: { token: mailLinkPath(verify).split('#token=')[1] } })).errors).toBeUndefined();
    const newEmail = `moved.${Date.now()}@example.com`;

    const page = await openSignedIn(await web.newContext(DESKTOP), person, '/settings');
    await page.getByRole('heading', { name: 'Change your email' }).waitFor();
    await expect.poll(() => emailStatus(page)).toBe('Verified');
    expect(await accessibilityProblems(page)).toEqual([]);

    await page.getByLabel('New email').fill(person.email.toUpperCase());
    await page.getByLabel('Your password', { exact: true }).fill(person.password);
    await page.getByRole('button', { name: 'Change email' }).click();
    await expect.poll(() => page.getByRole('alert').innerText()).toBe('That is the email address you use now.');

    await page.getByLabel('New email').fill(newEmail);
    await page.getByLabel('Your password', { exact: true }).fill('not my password');
    await page.getByRole('button', { name: 'Change email' }).click();
    await expect.poll(() => page.getByRole('alert').innerText()).toBe('That is not your current password.');
    expect(await page.getByLabel('Your password', { exact: true }).getAttribute('aria-invalid')).toBe('true');

    await page.getByLabel('Your password', { exact: true }).fill(person.password);
    await page.getByRole('button', { name: 'Change email' }).click();
    await expect
      .poll(() => page.getByRole('status').filter({ hasText: 'We sent' }).innerText())
      .toMatch(
        new RegExp(
          `^We sent a link and a 6-digit code to ${escapeRegExp(newEmail)}\\.\\s+Your account keeps using ${escapeRegExp(person.email)} until you confirm the new address: open the link in that email, or enter its code here\\.$`,
        ),
      );
    expect(await page.locator('dl.details').innerText()).toContain(person.email);
    expect(await accessibilityProblems(page)).toEqual([]);
    // The current address is told too.
    await waitForMail(web.server, person.email, /new email address was requested/);

    const confirm = await waitForMail(web.server, newEmail, CONFIRM_CHANGE);
    await page.getByLabel('Code from the email').fill(mailCode(confirm));
    await page.getByRole('button', { name: 'Confirm code' }).click();
    await page.getByText(`Your account now uses ${newEmail}.`).waitFor();
    await expect.poll(() => page.locator('dl.details').innerText()).toContain(newEmail);
    expect(await emailStatus(page)).toBe('Verified');
    expect(await page.getByLabel('Code from the email').count()).toBe(0);
    // The session kept by the page knows the new address (the Send screen compares with it).
    const kept = await page.evaluate(() => (globalThis as unknown as { localStorage: { getItem(k: string): string | null } }).localStorage.getItem('wallet.session'));
    expect((JSON.parse(kept!) as { user: { email: string } }).user.email).toBe(newEmail);

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL('**/sign-in');
    await signIn(page, person.email, person.password);
    await expect.poll(() => page.getByRole('alert').innerText()).toBe('That email and password do not match.');
    await signIn(page, newEmail, person.password);
    await page.getByRole('heading', { name: 'Hello, Moving' }).waitFor();
  });
});

describe("the app's cache", () => {
  it("keeps a user's verified email verified against an answer read before the verification (a cached response)", () => {
    const ME = gql`
      query Me {
        me {
          id
          emailVerified
        }
      }
    `;
    const me = (emailVerified: boolean) => ({ me: { __typename: 'User', id: 'u1', emailVerified } });
    const cache = new VersionedCache();
    const read = () => cache.readQuery<ReturnType<typeof me>>({ query: ME })!.me.emailVerified;
    cache.writeQuery({ query: ME, data: me(false) });
    expect(read()).toBe(false);
    cache.writeQuery({ query: ME, data: me(true) });
    expect(read()).toBe(true);
    cache.writeQuery({ query: ME, data: me(false) });
    expect(read()).toBe(true);
  });
});
