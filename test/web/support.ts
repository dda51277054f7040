import type { DevMailboxMessage } from '../../src/domain/mail/dev-mailbox.repository.js';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { CHROMIUM, CHROMIUM_ARGS, ensureChromium } from '../../scripts/chromium.js';
import { SignUpDocument } from '../generated/graphql.js';
import { useTestServer, type TestServer } from '../support/server.js';

/**
 * The web app (web/) in a real Chromium: Debian's package at an explicit path (installed with
 * apt-get when missing and possible; never a browser download), the app built by Vite into a
 * folder of this test file's own and served by a test server at / (WEB_APP_DIR), offline:
 * only that server answers the browser.
 */

export { CHROMIUM, CHROMIUM_ARGS, ensureChromium };
const ROOT = path.resolve(import.meta.dirname, '../..');

let built: Promise<string> | undefined;

/** `vite build` of web/ into a temp folder (once per test file's process). */
export function buildWebApp(): Promise<string> {
  built ??= (async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'web-app-'));
    await promisify(execFile)(process.execPath, [path.join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--config', 'web/vite.config.ts', '--logLevel', 'error'], {
      cwd: ROOT,
      // Vite takes NODE_ENV for import.meta.env.PROD: vitest's "test" would make a development build.
      env: { ...process.env, NODE_ENV: 'production', WEB_OUT_DIR: dir },
      timeout: 120_000,
    });
    return dir;
  })();
  return built;
}

export interface WebApp {
  server: TestServer;
  /** A fresh browser profile (a person on their own device), offline but for the test server. */
  newContext(options?: BrowserContextOptions): Promise<BrowserContext>;
}

/** A phone: the viewport and touch of a mid-size Android phone. */
export const PHONE: BrowserContextOptions = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };
export const DESKTOP: BrowserContextOptions = { viewport: { width: 1280, height: 800 } };

/** A test server serving the built app, and a Chromium to open it in (closed after the file). */
export function useWebApp(env: Record<string, string> = {}): WebApp {
  const server = useTestServer(async () => ({ ...env, WEB_APP_DIR: await buildWebApp() }), { reset: false });
  let browser: Browser | undefined;
  const contexts: BrowserContext[] = [];
  beforeAll(async () => {
    if (!ensureChromium()) throw new Error(`${CHROMIUM} is missing and could not be installed (apt-get install -y chromium)`);
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  }, 600_000);
  afterAll(async () => {
    await Promise.all(contexts.map((c) => c.close().catch(() => undefined)));
    await browser?.close();
    if (built) await rm(await built, { recursive: true, force: true });
  });
  return {
    server,
    async newContext(options = DESKTOP) {
      const context = await browser!.newContext({ ...options, baseURL: server.url });
      contexts.push(context);
      await context.route(/^https?:\/\//, (route) =>
        route.request().url().startsWith(server.url) ? route.continue() : route.abort('internetdisconnected'),
      );
      return context;
    },
  };
}

let people = 0;

/** A new person, signed up through the API (fast), with the session the app keeps. */
export async function newPerson(server: TestServer, name = 'Test Person') {
  people += 1;
  const email = `${name.toLowerCase().replace(/\W+/g, '.')}.${process.pid}.${people}.${Date.now()}@example.com`;
  const password = 'correct horse battery';
  const res = await server.gql(SignUpDocument, { input: { email, password, fullName: name } });
  if (res.errors) throw new Error(JSON.stringify(res.errors));
  const s = res.data!.signUp;
  return { email, password, name, id: s.user.id, token: s.accessToken, session: { ...s, user: { id: s.user.id, email, fullName: name } } };
}

/** Opens the app in `context` already signed in as `person` (the session in localStorage, as the app stores it). */
export async function openSignedIn(context: BrowserContext, person: { session: unknown }, pathname = '/'): Promise<Page> {
  const page = await context.newPage();
  await page.addInitScript((session) => {
    const g = globalThis as unknown as { localStorage: { getItem(k: string): string | null; setItem(k: string, v: string): void } };
    if (!g.localStorage.getItem('wallet.session')) g.localStorage.setItem('wallet.session', JSON.stringify(session));
  }, person.session);
  await page.goto(pathname);
  return page;
}

const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** axe-core's serious and critical violations on the page as it is now (WCAG 2.1 A and AA). */
export async function accessibilityProblems(page: Page): Promise<string[]> {
  await page.addScriptTag({ content: AXE });
  const violations = (await page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run(o: unknown): Promise<{ violations: unknown[] }> } }).axe;
    const result = await axe.run({ runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return result.violations;
  })) as { id: string; impact: string; help: string; nodes: { target: string[] }[] }[];
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

/** A message the server kept in its development mailbox (it runs without SMTP_URL here). */
export type DevMail = DevMailboxMessage;

/**
 * The newest mail to `to` whose subject matches and that is none of `seen` (mail read before),
 * from GET /dev/mailbox: polled, as the outbox worker sends within a second or so.
 */
export async function waitForMail(server: TestServer, to: string, subject: RegExp, seen: DevMail[] = [], timeoutMs = 15_000): Promise<DevMail> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await fetch(`${server.url}/dev/mailbox?format=json&to=${encodeURIComponent(to)}`);
    if (!res.ok) throw new Error(`GET /dev/mailbox answered ${res.status}`);
    const { messages } = (await res.json()) as { messages: DevMail[] };
    const found = messages.find((m) => subject.test(m.subject) && !seen.some((s) => s.id === m.id));
    if (found) return found;
    if (Date.now() > deadline) {
      throw new Error(`no mail "${subject.source}" to ${to} within ${timeoutMs} ms (has: ${messages.map((m) => m.subject).join('; ') || 'nothing'})`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The link in a mail as a path and fragment (`/verify-email#token=…`), to open on the test server's origin. */
export function mailLinkPath(mail: { text: string }): string {
  const link = /https?:\/\/\S+#token=[A-Za-z0-9_-]+/.exec(mail.text);
  if (!link) throw new Error(`no link with a token in: ${mail.text}`);
  const url = new URL(link[0]);
  return url.pathname + url.hash;
}

/** The 6-digit code of a verification or email-change mail. */
export function mailCode(mail: { text: string }): string {
  const code = /Code: (\d{6})/.exec(mail.text);
  if (!code) throw new Error(`no code in: ${mail.text}`);
  return code[1];
}
