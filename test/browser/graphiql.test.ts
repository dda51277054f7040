import 'reflect-metadata';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import Fastify from 'fastify';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerGraphiQL } from '../../src/http/graphiql.js';
import { withGraphiQLLink } from '../../src/http/sandbox-landing.js';
import { SignUpDocument, TransferLeanDocument } from '../generated/graphql.js';
import { createWallet, fund, seedUsers } from '../support/money.js';
import { startTestServer, type TestServer, useTestServer } from '../support/server.js';
import { CHROMIUM, CHROMIUM_ARGS } from '../web/support.js';

/**
 * The bundled GraphiQL at /graphiql, driven in a real Chromium (Debian's package, no browser
 * download) as a developer would: run a query, put a token in the headers editor, subscribe.
 */

const haveChromium = existsSync(CHROMIUM);

/** What the page scripts below use of the browser's globals (this project compiles without the DOM types). */
type BrowserGlobals = { localStorage: { clear(): void; getItem(key: string): string | null } };

describe('GraphiQL and Sandbox pages over HTTP', () => {
  const server = useTestServer({ NODE_ENV: 'development' }, { reset: false });

  it('serves the page and only its listed files', async () => {
    const page = await fetch(`${server.url}/graphiql`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    const html = await page.text();
    expect(html).toMatch(/graphiql\.min\.js/);
    expect(html).not.toMatch(/https?:\/\/(?!localhost)[^"' ]*\.(js|css)/); // nothing from a CDN

    const js = await fetch(`${server.url}/graphiql/assets/graphiql.min.js`);
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toMatch(/javascript/);
    expect(await js.text()).toMatch(/window\.GraphiQL/);
    for (const name of ['graphiql.min.js.map', '..%2Fpackage.json', '%2E%2E%2F%2E%2E%2Fpackage.json', 'package.json']) {
      expect((await fetch(`${server.url}/graphiql/assets/${name}`)).status, name).toBe(404);
    }
  });

  it('opens Apollo Sandbox with the sample document, the Authorization header and a link to GraphiQL', async () => {
    const res = await fetch(server.graphqlUrl, { headers: { accept: 'text/html' } });
    const html = await res.text();
    expect(html).toMatch(/embeddable-sandbox/);
    expect(html).toMatch(/currencies\s+\{\\n\s+code/);
    expect(html).toMatch(/"headers":\{"Authorization":"Bearer "\}/);
    expect(html).toMatch(/<a id="graphiql-link" href="\.\/graphiql">Offline\? Open the bundled GraphiQL<\/a>/);
  });

  it("adds the link to whatever page Apollo's plugin renders", () => {
    const link = /<a id="graphiql-link" href="\.\/graphiql">/;
    // With Apollo's nonce the link is styled to sit above Sandbox's frame; without one it is still there.
    const styled = withGraphiQLLink(`<meta content="style-src 'nonce-abc123' https://x"><body><p>x</p></body></html>`);
    expect(styled).toMatch(/<style nonce="abc123">#graphiql-link\{position:fixed/);
    expect(styled).toMatch(new RegExp(`${link.source}.*</body></html>$`));
    expect(withGraphiQLLink('<p>x</p>')).toMatch(new RegExp(`^<p>x</p>${link.source}`));
    expect(withGraphiQLLink('<p>x</p>')).not.toMatch(/<style/);
  });

  it('answers 404 with the reason when the files are not installed, and still serves the rest', async () => {
    const empty = await mkdtemp(path.join(os.tmpdir(), 'no-graphiql-'));
    const fastify = Fastify();
    try {
      registerGraphiQL(fastify, empty);
      fastify.get('/other', async () => 'ok');
      const res = await fastify.inject({ method: 'GET', url: '/graphiql' });
      expect(res.statusCode).toBe(404);
      expect(res.body).toMatch(/GraphiQL is not available: .*graphiql\/graphiql\.min\.js.* not found in node_modules/);
      expect((await fastify.inject({ method: 'GET', url: '/other' })).body).toBe('ok');
    } finally {
      await fastify.close();
      await rm(empty, { recursive: true, force: true });
    }
  });
});

if (!haveChromium && !process.env.CI) {
  describe.skip(`GraphiQL in Chromium (skipped: ${CHROMIUM} is missing; apt-get install -y chromium; CI requires it)`, () => {
    it('runs queries', () => undefined);
  });
} else if (!haveChromium) {
  describe('GraphiQL in Chromium', () => {
    it('has Chromium to run in', () => {
      expect.fail(`${CHROMIUM} is missing: CI must run the browser tests (apt-get install -y chromium)`);
    });
  });
} else {
  describe('GraphiQL in Chromium', () => {
    let server: TestServer;
    let context: BrowserContext;
    let profile: string;
    beforeAll(async () => {
      server = await startTestServer({ NODE_ENV: 'development' });
      profile = await mkdtemp(path.join(os.tmpdir(), 'chromium-profile-'));
      context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
      // Offline, as on a machine without internet: only this server answers.
      await context.route(/^https?:\/\//, (route) =>
        route.request().url().startsWith(server.url) ? route.continue() : route.abort('internetdisconnected'),
      );
    });
    afterAll(async () => {
      await context?.close();
      await server?.close();
      if (profile) await rm(profile, { recursive: true, force: true });
    });

    async function openGraphiQL(): Promise<Page> {
      const page = await context.newPage();
      // GraphiQL keeps the last query in localStorage: each check starts as a first visit.
      await page.addInitScript(() => (globalThis as unknown as BrowserGlobals).localStorage.clear());
      await page.goto(`${server.url}/graphiql`);
      await page.locator('.graphiql-execute-button').waitFor();
      return page;
    }

    /** CodeMirror 5 holds each editor's text; setting it is what pasting does. */
    const setEditor = (page: Page, selector: string, text: string) =>
      page.locator(selector).evaluate((el, value) => (el as unknown as { CodeMirror: { setValue(v: string): void } }).CodeMirror.setValue(value), text);
    const editorText = (page: Page, selector: string) =>
      page.locator(selector).evaluate((el) => (el as unknown as { CodeMirror: { getValue(): string } }).CodeMirror.getValue());
    const QUERY = '.graphiql-query-editor .CodeMirror';
    /** GraphiQL reads the operation name 100 ms after an edit (it then saves the query): wait for that, as a user would. */
    async function setQuery(page: Page, text: string) {
      await setEditor(page, QUERY, text);
      await page.waitForFunction((value) => (globalThis as unknown as BrowserGlobals).localStorage.getItem('graphiql:query') === value, text);
    }
    const HEADERS = 'section.graphiql-editor-tool[aria-label="Headers"] .graphiql-editor:not(.hidden) .CodeMirror';
    const RESULT = '.graphiql-response .CodeMirror';

    async function run(page: Page, expected: RegExp): Promise<string> {
      await page.locator('.graphiql-execute-button').click();
      await expect.poll(() => editorText(page, RESULT), { timeout: 15_000 }).toMatch(expected);
      return editorText(page, RESULT);
    }

    it('runs a query typed into the editor and shows the result', async () => {
      const page = await openGraphiQL();
      // It opens with the sample document and the header ready.
      expect(await editorText(page, QUERY)).toMatch(/me \{/);
      expect(JSON.parse(await editorText(page, HEADERS))).toEqual({ Authorization: 'Bearer ' });

      await setQuery(page, '{ currencies { code name } }');
      const result = JSON.parse(await run(page, /"currencies"/)) as { data: { currencies: { code: string }[] } };
      expect(result.data.currencies.map((c) => c.code)).toEqual(expect.arrayContaining(['NGN', 'USD']));
      await page.close();
    });

    it('sends the Authorization header from the headers editor', async () => {
      const page = await openGraphiQL();
      // Signed out the sample runs too: `me` is null.
      expect(JSON.parse(await run(page, /"me"/)).data.me).toBeNull();

      const signUp = await server.gql(SignUpDocument, { input: { email: 'graphiql@example.com', password: 'correct horse', fullName: 'G' } });
      const token = signUp.data!.signUp.accessToken;
      await setEditor(page, HEADERS, JSON.stringify({ Authorization: `Bearer ${token}` }));
      await setQuery(page, '{ me { id email } }');
      const result = JSON.parse(await run(page, /graphiql@example\.com/)) as { data: { me: { email: string } } };
      expect(result.data.me.email).toBe('graphiql@example.com');
      await page.close();
    });

    it('subscribes over graphql-ws with the token from the headers editor', async () => {
      const [alice, bob] = await seedUsers(server.app, 2, 'gq');
      const wallet = await createWallet(server.app, alice.id);
      await fund(server.app, wallet, 1_000n);
      const page = await openGraphiQL();
      await setEditor(page, HEADERS, JSON.stringify({ Authorization: `Bearer ${bob.token}` }));
      await setQuery(page, 'subscription { balanceUpdated { id balance { amount } } }');
      await page.locator('.graphiql-execute-button').click();
      // The subscription starts at some point after the click: send until one arrives.
      let sent = 0;
      await expect
        .poll(
          async () => {
            const res = await server.gql(
              TransferLeanDocument,
              { input: { fromWalletId: wallet, recipientEmail: bob.email, amount: '1', idempotencyKey: `gq-${++sent}` } },
              { token: alice.token },
            );
            expect(res.errors).toBeUndefined();
            return editorText(page, RESULT);
          },
          { timeout: 15_000, interval: 300 },
        )
        .toMatch(/"balanceUpdated"/);
      await page.close();
    });

    it('a subscription without a token answers UNAUTHENTICATED in the result pane (the socket is acknowledged)', async () => {
      const page = await openGraphiQL();
      await setEditor(page, HEADERS, '{}');
      await setQuery(page, 'subscription { balanceUpdated { id } }');
      const result = await run(page, /UNAUTHENTICATED/);
      expect(result).toMatch(/"code":\s*"UNAUTHENTICATED"/);
      expect(result).not.toMatch(/4401/);
      await page.close();
    });

    it('is linked from the Sandbox page, which stays usable offline', async () => {
      const page = await context.newPage();
      await page.goto(server.graphqlUrl);
      await page.locator('text=Apollo Sandbox cannot be loaded').waitFor();
      await page.locator('#graphiql-link').click();
      await page.locator('.graphiql-execute-button').waitFor();
      expect(new URL(page.url()).pathname).toBe('/graphiql');
      await page.close();
    });
  });
}
