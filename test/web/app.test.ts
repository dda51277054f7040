import { describe, expect, it } from 'vitest';
import { TransferLeanDocument } from '../generated/graphql.js';
import { createWallet, fund } from '../support/money.js';
import { accessibilityProblems, DESKTOP, newPerson, openSignedIn, PHONE, useWebApp } from './support.js';

/**
 * The web app's front door and its live balances, in Chromium: signing up, staying signed in
 * across reloads, a wallet, money arriving while the page is open (sent by someone else), and
 * signing out; at a desktop and a phone's size, with the keyboard, and scanned by axe-core.
 */
const web = useWebApp();

describe('the web app', () => {
  for (const [device, options] of [['desktop', DESKTOP], ['phone', PHONE]] as const) {
    it(`signs up, stays signed in across a reload, creates a wallet and signs out (${device})`, async () => {
      const context = await web.newContext(options);
      const page = await context.newPage();
      await page.goto('/');
      await page.waitForURL('**/sign-in');
      await page.getByRole('link', { name: 'Create an account' }).click();
      await page.getByLabel('Full name').fill('Grace Hopper');
      await page.getByLabel('Email').fill(`grace.${device}.${Date.now()}@example.com`);
      await page.getByLabel('Password').fill('correct horse battery');
      await page.getByRole('button', { name: 'Create account' }).click();
      await page.getByRole('heading', { name: 'Hello, Grace' }).waitFor();
      expect(await page.getByText('You have no wallet yet').isVisible()).toBe(true);

      await page.reload();
      await page.getByRole('heading', { name: 'Hello, Grace' }).waitFor();

      await page.getByLabel('Currency').selectOption('NGN');
      await page.getByRole('button', { name: 'Create wallet' }).click();
      await page.getByTestId('wallet-NGN').waitFor();
      expect(await page.getByTestId('wallet-NGN').locator('.balance').innerText()).toMatch(/0\.00/);

      await page.getByRole('link', { name: 'Settings' }).click();
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.waitForURL('**/sign-in');
      await page.reload();
      await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    });
  }

  it('changes the password: a wrong current one is refused in words, the new one signs in, the old one no longer', async () => {
    const person = await newPerson(web.server, 'Password Changer');
    const page = await openSignedIn(await web.newContext(), person, '/settings');
    await page.getByRole('heading', { name: 'Change your password' }).waitFor();
    expect(await accessibilityProblems(page)).toEqual([]);
    await page.getByLabel('Current password').fill('not my password');
    await page.getByLabel('New password', { exact: true }).fill('a brand new passphrase');
    await page.getByLabel('New password again').fill('a brand new passphrase');
    await page.getByRole('button', { name: 'Change password' }).click();
    // Said beside the input it is about.
    await expect.poll(() => page.getByRole('alert').innerText()).toBe('That is not your current password.');
    expect(await page.getByLabel('Current password').getAttribute('aria-invalid')).toBe('true');

    await page.getByLabel('Current password').fill(person.password);
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByText('Your password is changed.').waitFor();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL('**/sign-in');
    for (const [password, ok] of [[person.password, false], ['a brand new passphrase', true]] as const) {
      await page.getByLabel('Email').fill(person.email);
      await page.getByLabel('Password').fill(password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      if (ok) await page.getByRole('heading', { name: 'Hello, Password' }).waitFor();
      else await expect.poll(() => page.getByRole('alert').innerText()).toBe('That email and password do not match.');
    }
  });

  it('refuses a wrong password in plain words, beside nothing the server wrote', async () => {
    const person = await newPerson(web.server, 'Wrong Password');
    const page = await (await web.newContext()).newPage();
    await page.goto('/sign-in');
    await page.getByLabel('Email').fill(person.email);
    await page.getByLabel('Password').fill('not the password at all');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('alert').innerText()).toBe('That email and password do not match.');
  });

  it("shows money arriving without a reload: one person pays, the other's balance changes", async () => {
    const [alice, bob] = [await newPerson(web.server, 'Alice Payer'), await newPerson(web.server, 'Bob Payee')];
    const aliceWallet = await createWallet(web.server.app, alice.id);
    await createWallet(web.server.app, bob.id);
    await fund(web.server.app, aliceWallet, 500_000n);
    const bobPage = await openSignedIn(await web.newContext(PHONE), bob);
    const balance = bobPage.getByTestId('wallet-NGN').locator('.balance');
    await expect.poll(() => balance.innerText()).toMatch(/^\D*0\.00$/);
    // Give the live connection a moment to open, then pay Bob from another device.
    await bobPage.waitForTimeout(500);
    const paid = await web.server.gql(
      TransferLeanDocument,
      { input: { fromWalletId: aliceWallet, recipientEmail: bob.email, amount: '123456', idempotencyKey: `live-${Date.now()}` } },
      { token: alice.token },
    );
    expect(paid.errors).toBeUndefined();
    await expect.poll(() => balance.innerText(), { timeout: 10_000 }).toMatch(/1,234\.56/);
  });

  it('has no serious or critical accessibility problems on sign-in, sign-up and the wallets page', async () => {
    const person = await newPerson(web.server, 'Axe Person');
    await createWallet(web.server.app, person.id);
    const context = await web.newContext();
    const page = await context.newPage();
    await page.goto('/sign-in');
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    expect(await accessibilityProblems(page)).toEqual([]);
    await page.goto('/sign-up');
    await page.getByRole('heading', { name: 'Create your account' }).waitFor();
    expect(await accessibilityProblems(page)).toEqual([]);
    const home = await openSignedIn(await web.newContext(PHONE), person);
    await home.getByTestId('wallet-NGN').waitFor();
    expect(await accessibilityProblems(home)).toEqual([]);
  });

  it('can be used with the keyboard alone: skip link, navigation and forms', async () => {
    const person = await newPerson(web.server, 'Keyboard Person');
    const page = await openSignedIn(await web.newContext(), person);
    await page.getByRole('heading', { name: /Hello/ }).waitFor();
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => (globalThis as unknown as { document: { activeElement: { textContent: string } } }).document.activeElement.textContent)).toBe('Skip to content');
    await page.keyboard.press('Enter');
    // Tab to the currency picker and create a wallet with keys only.
    const currency = page.getByLabel('Currency');
    for (let i = 0; i < 30 && !(await currency.evaluate((el) => el === (globalThis as unknown as { document: { activeElement: unknown } }).document.activeElement)); i++) {
      await page.keyboard.press('Tab');
    }
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await page.getByTestId(/wallet-/).first().waitFor();
  });
});

describe('as an installable app', () => {
  it('has a manifest with icons, and a service worker that serves the shell offline but never the money', async () => {
    const manifest = await fetch(`${web.server.url}/manifest.webmanifest`);
    expect(manifest.headers.get('content-type')).toMatch(/application\/manifest\+json/);
    const body = (await manifest.json()) as { start_url: string; display: string; icons: { src: string; sizes: string }[] };
    expect(body).toMatchObject({ start_url: '/', display: 'standalone' });
    for (const size of ['192x192', '512x512']) {
      const icon = body.icons.find((i) => i.sizes === size)!;
      const res = await fetch(`${web.server.url}${icon.src}`);
      expect(res.headers.get('content-type')).toBe('image/png');
      const png = Buffer.from(await res.arrayBuffer());
      expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual(size.split('x').map(Number));
    }

    const person = await newPerson(web.server, 'Offline Person');
    await createWallet(web.server.app, person.id);
    const context = await web.newContext();
    const page = await openSignedIn(context, person);
    await page.getByTestId('wallet-NGN').waitFor();
    await page.evaluate(async () => {
      const nav = (globalThis as unknown as { navigator: { serviceWorker: { ready: Promise<unknown> } } }).navigator;
      await nav.serviceWorker.ready;
    });
    await page.reload(); // now controlled by the worker
    await page.getByTestId('wallet-NGN').waitFor();
    await context.setOffline(true);
    await page.reload();
    // The shell loads offline and says so; the wallets (money) are not served from any cache.
    await page.getByText('You are offline').waitFor();
    expect(await page.getByTestId('wallet-NGN').count()).toBe(0);
    const cached = await page.evaluate(async () => {
      const c = (globalThis as unknown as { caches: { open(n: string): Promise<{ keys(): Promise<{ url: string }[]> }> } }).caches;
      return (await (await c.open('wallet-shell-v1')).keys()).map((r) => new URL(r.url).pathname);
    });
    expect(cached).toContain('/');
    expect(cached.some((p) => p.startsWith('/graphql'))).toBe(false);
    await context.setOffline(false);
  });
});
