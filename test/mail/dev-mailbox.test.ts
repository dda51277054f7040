import 'reflect-metadata';
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LogInDocument, RequestPasswordResetDocument, SignUpDocument } from '../generated/graphql.js';
import { waitFor } from '../support/helpers.js';
import { useTestServer } from '../support/server.js';
import { CHROMIUM, CHROMIUM_ARGS, ensureChromium } from '../web/support.js';

/**
 * Without SMTP_URL (the quick start): mail is kept at /dev/mailbox, and the links in it lead to
 * the API's own small pages when no web app is built. The whole flow, verify and reset, in a
 * real Chromium.
 */

// A folder with no build in it: the API's own pages answer /verify-email and /reset-password.
const server = useTestServer({ MAIL_WORKER_INTERVAL_MS: '100', WEB_APP_DIR: '/nonexistent/wallet-web' }, { reset: false });

interface Message {
  id: string;
  to: string;
  subject: string;
  text: string;
  html: string;
}

async function mailbox(to: string): Promise<Message[]> {
  const res = await fetch(`${server.url}/dev/mailbox?format=json&to=${encodeURIComponent(to)}`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { messages: Message[] }).messages;
}

const nextMail = (to: string, subject: RegExp) =>
  waitFor(
    async () => (await mailbox(to)).find((m) => subject.test(m.subject)),
    (m) => m !== undefined,
  ).then((m) => {
    expect(m, `no mail "${subject.source}" to ${to}`).toBeDefined();
    return m!;
  });

const linkIn = (m: Message) => m.text.match(/https?:\/\/\S+#token=[A-Za-z0-9_-]+/)![0];

async function signUp(email: string) {
  const res = await server.gql(SignUpDocument, { input: { email, password: 'correct horse battery', fullName: 'Grace Hopper' } });
  expect(res.errors).toBeUndefined();
  return res.data!.signUp;
}

let browser: Browser;
beforeAll(async () => {
  ensureChromium();
  expect(existsSync(CHROMIUM), `${CHROMIUM} is needed (apt-get install chromium)`).toBe(true);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
});
afterAll(() => browser?.close());

describe('the development mailbox', () => {
  it('keeps mail, lists it as HTML and JSON, shows each HTML body, and logs one line without the token', async () => {
    const email = 'grace@example.com';
    await signUp(email);
    const message = await nextMail(email, /verify your email/i);
    expect(message.text).toMatch(/Code: \d{6}/);
    expect(linkIn(message)).toBe(`${server.url.replace('127.0.0.1', '127.0.0.1')}/verify-email#token=${linkIn(message).split('#token=')[1]}`);

    const page = await fetch(`${server.url}/dev/mailbox`);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    const html = await page.text();
    expect(html).toContain('Development mailbox');
    expect(html).toContain(`<a href="${linkIn(message)}">`);

    const body = await fetch(`${server.url}/dev/mailbox/${message.id}`);
    expect(body.status).toBe(200);
    expect(body.headers.get('content-security-policy')).toMatch(/sandbox/);
    expect(await body.text()).toBe(message.html);
    expect((await fetch(`${server.url}/dev/mailbox/00000000-0000-0000-0000-000000000000`)).status).toBe(404);
    expect((await fetch(`${server.url}/dev/mailbox/not-an-id`)).status).toBe(404);

    const token = linkIn(message).split('#token=')[1];
    const kept = server.logs.filter((l) => l.includes('mail kept in the development mailbox'));
    expect(kept.length).toBeGreaterThan(0);
    expect(server.logs.join('\n')).not.toContain(token);
  });
});

describe("the API's own pages, in Chromium", () => {
  it('verifies an address from the emailed link and takes the token out of the address bar', async () => {
    const email = 'ada@example.com';
    await signUp(email);
    const link = linkIn(await nextMail(email, /verify your email/i));
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
    await page.goto(link);
    await expect.poll(() => page.locator('#status').textContent()).toBe(`${email} is verified. You can close this page.`);
    expect(page.url()).toBe(`${server.url}/verify-email`);
    expect(problems).toEqual([]);

    await page.close();

    // The same link again (a fresh tab): a clear refusal.
    const again = await browser.newPage();
    await again.goto(link);
    await expect.poll(() => again.locator('#status').textContent()).toMatch(/invalid, expired or already used/);
    await again.close();
  });

  it('resets a password from the emailed link; the form says what is wrong, then signs in with the new one', async () => {
    const email = 'alan@example.com';
    await signUp(email);
    await server.gql(RequestPasswordResetDocument, { input: { email } });
    const link = linkIn(await nextMail(email, /reset your/i));

    const page = await browser.newPage();
    await page.goto(link);
    expect(page.url()).toBe(`${server.url}/reset-password`);
    await page.getByLabel('New password', { exact: true }).fill('short');
    await page.getByLabel('New password again').fill('short');
    await page.getByRole('button', { name: 'Set password' }).click();
    await expect.poll(() => page.locator('#status').textContent()).toMatch(/at least 8 characters/);

    await page.getByLabel('New password', { exact: true }).fill('a much longer passphrase');
    await page.getByLabel('New password again').fill('a different passphrase');
    await page.getByRole('button', { name: 'Set password' }).click();
    await expect.poll(() => page.locator('#status').textContent()).toBe('The two passwords differ.');

    await page.getByLabel('New password again').fill('a much longer passphrase');
    await page.getByRole('button', { name: 'Set password' }).click();
    await expect.poll(() => page.locator('#status').textContent()).toMatch(/Your password is changed/);
    await page.close();

    const logIn = await server.gql(LogInDocument, { input: { email, password: 'a much longer passphrase' } });
    expect(logIn.errors).toBeUndefined();
    expect(logIn.data!.logIn.user.emailVerified).toBe(true);
  });

  it('serves the pages with their own CSP nonce, no caching and no referrer', async () => {
    for (const pathname of ['/verify-email', '/reset-password']) {
      const res = await fetch(`${server.url}${pathname}`, { headers: { accept: 'text/html' } });
      expect(res.status).toBe(200);
      const csp = res.headers.get('content-security-policy')!;
      const nonce = csp.match(/script-src 'nonce-([^']+)'/)![1];
      expect(await res.text()).toContain(`<script nonce="${nonce}">`);
      expect(csp).toMatch(/default-src 'none'/);
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    }
  });
});
