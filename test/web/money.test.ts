import { randomUUID } from 'node:crypto';
import type { Locator, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { WalletDocument } from '../generated/graphql.js';
import { sql } from '../support/helpers.js';
import { createWallet, fund } from '../support/money.js';
import { accessibilityProblems, DESKTOP, newPerson, openSignedIn, PHONE, useWebApp } from './support.js';

/**
 * The money screens in Chromium: adding money through the sandbox checkout page and back,
 * sending to another person (their balance changing live in another browser), refusals in
 * words with nothing moved, a retry that cannot pay twice, and a withdrawal to a bank account
 * whose holder's name is shown first; at a desktop and a phone's size, with the keyboard alone,
 * scanned by axe-core.
 */
const web = useWebApp({
  // A GBP wallet may hold at most £5,000.00 here: the deposit refusal that says how much still fits.
  LIMIT_BALANCE_MAX: 'GBP=500000',
  // Payouts stay PENDING for the test's length: the held amount can be seen.
  SANDBOX_PAYOUT_DELAY_MS: '600000',
});

type Person = Awaited<ReturnType<typeof newPerson>>;

/** A wallet's balance and available balance, in minor units, as the API tells its owner. */
async function walletOf(person: Person, id: string) {
  const res = await web.server.gql(WalletDocument, { id }, { token: person.token });
  const w = res.data!.wallet!;
  return { balance: w.balance.amount, available: w.availableBalance.amount };
}

/** The balance on the wallets page, as shown. */
const balanceOn = (page: Page, currency = 'NGN') => page.getByTestId(`wallet-${currency}`).locator('.balance');

/** The step's question ("Send ₦10.00 to …?"), as a person reads it. */
const question = (page: Page) => page.locator('.money-question').innerText();

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Presses Tab until `target` has the focus (it must get there, by the keyboard alone). */
async function tabTo(page: Page, target: Locator) {
  for (let i = 0; i < 25; i++) {
    if (await target.evaluate((el) => el === el.ownerDocument.activeElement)) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`Tab never reached ${target.toString()}`);
}

async function transferRows(userId: string): Promise<number> {
  const [{ n }] = await sql<{ n: string }>(web.server, `select count(*) as n from transactions where user_id = ? and type = 'TRANSFER'`, [userId]);
  return Number(n);
}

describe('adding money', () => {
  for (const [device, options] of [
    ['desktop', DESKTOP],
    ['phone', PHONE],
  ] as const) {
    it(`pays through the sandbox checkout page, comes back by its link and shows the credited balance (${device})`, async () => {
      const person = await newPerson(web.server, 'Dora Deposit');
      const walletId = await createWallet(web.server.app, person.id);
      const page = await openSignedIn(await web.newContext(options), person);
      await expect.poll(() => balanceOn(page).innerText()).toMatch(/^\D*0\.00$/);

      await page.getByTestId('wallet-NGN').getByRole('link', { name: 'Add money' }).click();
      await page.getByRole('heading', { name: 'Add money' }).waitFor();
      expect(new URL(page.url()).search).toBe(`?wallet=${walletId}`);
      expect(await page.getByLabel('Wallet').inputValue()).toBe(walletId);
      expect(await accessibilityProblems(page)).toEqual([]);

      // Not an amount of naira (three decimals): said beside the input, nothing started.
      await page.getByLabel('Amount (NGN)').fill('12.345');
      await page.getByRole('button', { name: 'Continue to payment' }).click();
      await expect.poll(() => page.getByRole('alert').innerText()).toMatch(/^Enter an amount in NGN greater than zero, like \D*1,500\.00\.$/);
      expect(await page.getByLabel('Amount (NGN)').getAttribute('aria-invalid')).toBe('true');
      expect(await sql(web.server, `select id from transactions where account_id = ?`, [walletId])).toEqual([]);

      await page.getByLabel('Amount (NGN)').fill('2,500.50');
      await page.getByRole('button', { name: 'Continue to payment' }).click();
      await page.waitForURL('**/sandbox/checkout/**');
      await page.getByText('NGN 2,500.50').waitFor();
      await page.getByRole('button', { name: 'Pay' }).click();
      await page.getByRole('heading', { name: 'Payment received' }).waitFor();
      await page.getByRole('link', { name: 'Back to your wallet' }).click();
      await page.waitForURL(`${web.server.url}/`);
      await expect.poll(() => balanceOn(page).innerText(), { timeout: 10_000 }).toMatch(/^\D*2,500\.50$/);
      expect(await walletOf(person, walletId)).toEqual({ balance: '250050', available: '250050' });
    });
  }

  it('says in words, with the amount, how much still fits when a deposit would overfill the wallet', async () => {
    const person = await newPerson(web.server, 'Full Wallet');
    const walletId = await createWallet(web.server.app, person.id, 'GBP');
    await fund(web.server.app, walletId, 400_000n);
    const page = await openSignedIn(await web.newContext(), person, `/deposit?wallet=${walletId}`);
    await page.getByLabel('Amount (GBP)').fill('2000');
    await page.getByRole('button', { name: 'Continue to payment' }).click();
    await expect
      .poll(() => page.getByRole('alert').innerText())
      .toMatch(/^This would take the wallet over the most it may hold\. You can add up to \D*1,000\.00\.$/);
    expect(new URL(page.url()).pathname).toBe('/deposit');
    expect(await sql(web.server, `select id from transactions where account_id = ? and status = 'PENDING'`, [walletId])).toEqual([]);
    expect(await walletOf(person, walletId)).toEqual({ balance: '400000', available: '400000' });
  });

  it('lets the person pick another of their wallets, and Cancel goes back to the wallets', async () => {
    const person = await newPerson(web.server, 'Two Wallets');
    const ngn = await createWallet(web.server.app, person.id, 'NGN');
    const usd = await createWallet(web.server.app, person.id, 'USD');
    await fund(web.server.app, usd, 12_345n);
    const page = await openSignedIn(await web.newContext(), person, `/deposit?wallet=${ngn}`);
    await page.getByLabel('Amount (NGN)').waitFor();
    await page.getByLabel('Wallet').selectOption(usd);
    await page.getByLabel('Amount (USD)').waitFor();
    expect(new URL(page.url()).search).toBe(`?wallet=${usd}`);
    expect(await page.locator('.money-wallet .hint').innerText()).toMatch(/^Balance \D*123\.45$/);
    await page.getByRole('link', { name: 'Cancel' }).click();
    await page.getByRole('heading', { name: 'Your wallets' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/');
  });
});

describe('sending money', () => {
  it("sends to another person after a confirmation: both balances right, the recipient's changing live (phone)", async () => {
    const [alice, bob] = [await newPerson(web.server, 'Alice Sender'), await newPerson(web.server, 'Bob Payee')];
    const aliceWallet = await createWallet(web.server.app, alice.id);
    const bobWallet = await createWallet(web.server.app, bob.id);
    await fund(web.server.app, aliceWallet, 500_000n);
    const bobPage = await openSignedIn(await web.newContext(DESKTOP), bob);
    await expect.poll(() => balanceOn(bobPage).innerText()).toMatch(/^\D*0\.00$/);

    const page = await openSignedIn(await web.newContext(PHONE), alice);
    await page.getByTestId('wallet-NGN').getByRole('link', { name: 'Send' }).click();
    await page.getByRole('heading', { name: 'Who are you paying?' }).waitFor();
    expect(await accessibilityProblems(page)).toEqual([]);
    await page.getByLabel('Their email').fill(`  ${bob.email.toUpperCase()} `);
    await page.getByRole('button', { name: 'Continue' }).click();

    await page.getByRole('heading', { name: 'How much?' }).waitFor();
    // The recipient's name before anything moves (the `recipient` query).
    expect(await page.locator('.money-recipient p').innerText()).toBe(`To Bob Payee (${bob.email})`);
    expect(await accessibilityProblems(page)).toEqual([]);
    await page.getByLabel('Amount (NGN)').fill('1,234.56');
    await page.getByLabel('Note (optional)').fill('Dinner');
    await page.getByRole('button', { name: 'Continue' }).click();

    await page.getByRole('heading', { name: 'Check and send' }).waitFor();
    expect(await question(page)).toMatch(new RegExp(`^Send \\D*1,234\\.56 to Bob Payee \\(${escapeRegExp(bob.email)}\\)\\?$`));
    expect(await page.locator('dl.details').innerText()).toContain('Dinner');
    expect(await accessibilityProblems(page)).toEqual([]);
    // Nothing has moved before the confirmation.
    expect(await walletOf(alice, aliceWallet)).toEqual({ balance: '500000', available: '500000' });
    await page.getByRole('button', { name: 'Send now' }).click();

    await page.getByRole('heading', { name: 'Money sent' }).waitFor();
    const notice = await page.getByRole('status').filter({ hasText: 'You sent' }).innerText();
    expect(notice).toMatch(new RegExp(`You sent \\D*1,234\\.56 to Bob Payee \\(${escapeRegExp(bob.email)}\\)\\.`));
    expect(notice).toMatch(/Your NGN balance is now \D*3,765\.44\./);
    expect(await accessibilityProblems(page)).toEqual([]);
    await expect.poll(() => balanceOn(bobPage).innerText(), { timeout: 10_000 }).toMatch(/^\D*1,234\.56$/);
    expect(await walletOf(alice, aliceWallet)).toEqual({ balance: '376544', available: '376544' });
    expect(await walletOf(bob, bobWallet)).toEqual({ balance: '123456', available: '123456' });

    // Back on the wallets page, the sender's own balance is the new one.
    await page.locator('.actions').getByRole('link', { name: 'Back to your wallets' }).click();
    await expect.poll(() => balanceOn(page).innerText()).toMatch(/^\D*3,765\.44$/);
  });

  it("says when no one has the email, and shows the recipient's full name before sending", async () => {
    const [admin, bob] = [await newPerson(web.server, 'Ada Sender'), await newPerson(web.server, 'Bob Named')];
    const adminWallet = await createWallet(web.server.app, admin.id);
    const bobWallet = await createWallet(web.server.app, bob.id);
    await fund(web.server.app, adminWallet, 10_000n);
    const page = await openSignedIn(await web.newContext(), admin, `/send?wallet=${adminWallet}`);

    await page.getByLabel('Their email').fill(`nobody.${randomUUID()}@example.com`);
    await page.getByRole('button', { name: 'Continue' }).click();
    await expect.poll(() => page.getByRole('alert').innerText()).toMatch(/^There is no account with this email\./);
    await page.getByRole('heading', { name: 'Who are you paying?' }).waitFor();

    await page.getByLabel('Their email').fill(bob.email);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('heading', { name: 'How much?' }).waitFor();
    expect(await page.locator('.money-recipient p').innerText()).toBe(`To Bob Named (${bob.email})`);
    await page.getByLabel('Amount (NGN)').fill('10');
    await page.getByRole('button', { name: 'Continue' }).click();
    expect(await question(page)).toMatch(new RegExp(`^Send \\D*10\\.00 to Bob Named \\(${escapeRegExp(bob.email)}\\)\\?$`));
    await page.getByRole('button', { name: 'Send now' }).click();
    await page.getByRole('heading', { name: 'Money sent' }).waitFor();
    expect(await walletOf(bob, bobWallet)).toEqual({ balance: '1000', available: '1000' });
  });

  it('refuses more than the balance in plain words and moves nothing; a smaller amount then goes through', async () => {
    const [alice, bob] = [await newPerson(web.server, 'Alice Short'), await newPerson(web.server, 'Bob Waiting')];
    const aliceWallet = await createWallet(web.server.app, alice.id);
    const bobWallet = await createWallet(web.server.app, bob.id);
    await fund(web.server.app, aliceWallet, 10_000n);
    const page = await openSignedIn(await web.newContext(), alice, `/send?wallet=${aliceWallet}`);
    await page.getByLabel('Their email').fill(bob.email);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByLabel('Amount (NGN)').fill('500');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('button', { name: 'Send now' }).click();

    // Back at the amount, the refusal beside it, in words; not the server's own message.
    await page.getByRole('heading', { name: 'How much?' }).waitFor();
    await expect.poll(() => page.getByRole('alert').innerText()).toBe('There is not enough money available for this.');
    expect(await page.getByLabel('Amount (NGN)').getAttribute('aria-invalid')).toBe('true');
    expect(await page.locator('main').innerText()).not.toMatch(/does not hold|INSUFFICIENT/);
    expect(await accessibilityProblems(page)).toEqual([]);
    expect(await walletOf(alice, aliceWallet)).toEqual({ balance: '10000', available: '10000' });
    expect(await walletOf(bob, bobWallet)).toEqual({ balance: '0', available: '0' });
    expect(await transferRows(alice.id)).toBe(0);

    // A new amount is a new request (a new key): it is not refused as a changed repeat.
    await page.getByLabel('Amount (NGN)').fill('60');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('button', { name: 'Send now' }).click();
    await page.getByRole('heading', { name: 'Money sent' }).waitFor();
    expect(await walletOf(alice, aliceWallet)).toEqual({ balance: '4000', available: '4000' });
    expect(await walletOf(bob, bobWallet)).toEqual({ balance: '6000', available: '6000' });
  });

  it('a retry after the answer was lost reuses the idempotency key: the money moves once', async () => {
    const [alice, bob] = [await newPerson(web.server, 'Alice Retry'), await newPerson(web.server, 'Bob Once')];
    const aliceWallet = await createWallet(web.server.app, alice.id);
    const bobWallet = await createWallet(web.server.app, bob.id);
    await fund(web.server.app, aliceWallet, 100_000n);
    const context = await web.newContext();
    const keys: string[] = [];
    // The first transfer reaches the server, but its answer never reaches the page.
    await context.route('**/graphql', async (route) => {
      const body = route.request().postDataJSON() as { operationName?: string; variables?: { input?: { idempotencyKey?: string } } } | null;
      if (body?.operationName !== 'SendScreenTransfer') return route.fallback();
      keys.push(body.variables!.input!.idempotencyKey!);
      if (keys.length === 1) {
        await route.fetch();
        return route.abort('connectionreset');
      }
      return route.fallback();
    });
    const page = await openSignedIn(context, alice, `/send?wallet=${aliceWallet}`);
    await page.getByLabel('Their email').fill(bob.email);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByLabel('Amount (NGN)').fill('250');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('button', { name: 'Send now' }).click();
    await expect.poll(() => page.getByRole('alert').innerText()).toBe('We could not reach the server. Try again.');
    // It went through, unknown to the page: the same request is sent again, with the same key.
    expect(await walletOf(bob, bobWallet)).toEqual({ balance: '25000', available: '25000' });
    await page.getByRole('button', { name: 'Try again' }).click();
    await page.getByRole('heading', { name: 'Money sent' }).waitFor();
    expect(keys).toHaveLength(2);
    expect(keys[1]).toBe(keys[0]);
    expect(await page.getByRole('status').filter({ hasText: 'You sent' }).innerText()).toMatch(/balance is now \D*750\.00\./);
    expect(await walletOf(alice, aliceWallet)).toEqual({ balance: '75000', available: '75000' });
    expect(await walletOf(bob, bobWallet)).toEqual({ balance: '25000', available: '25000' });
    expect(await transferRows(alice.id)).toBe(1);

    // Sending more is a new action: a new key.
    await page.getByRole('button', { name: 'Send more money' }).click();
    await page.getByLabel('Their email').fill(bob.email);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByLabel('Amount (NGN)').fill('250');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('button', { name: 'Send now' }).click();
    await page.getByRole('heading', { name: 'Money sent' }).waitFor();
    expect(keys).toHaveLength(3);
    expect(keys[2]).not.toBe(keys[0]);
    expect(await walletOf(bob, bobWallet)).toEqual({ balance: '50000', available: '50000' });
  });

  it('can be done with the keyboard alone, the focus visible and moved to each step', async () => {
    const [alice, bob] = [await newPerson(web.server, 'Keys Sender'), await newPerson(web.server, 'Keys Payee')];
    const aliceWallet = await createWallet(web.server.app, alice.id);
    const bobWallet = await createWallet(web.server.app, bob.id);
    await fund(web.server.app, aliceWallet, 100_000n);
    const page = await openSignedIn(await web.newContext(), alice, `/send?wallet=${aliceWallet}`);
    await page.getByRole('heading', { name: 'Who are you paying?' }).waitFor();
    await tabTo(page, page.getByLabel('Their email'));
    await page.keyboard.type(bob.email);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'How much?' }).waitFor();
    await tabTo(page, page.getByLabel('Amount (NGN)'));
    await page.keyboard.type('42');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Check and send' }).waitFor();
    // The new step's heading has the focus, so the next Tab starts there.
    expect(await page.getByRole('heading', { name: 'Check and send' }).evaluate((el) => el === el.ownerDocument.activeElement)).toBe(true);
    const send = page.getByRole('button', { name: 'Send now' });
    await tabTo(page, send);
    expect(await send.evaluate((el) => el.ownerDocument.defaultView!.getComputedStyle(el).outlineStyle)).toBe('solid');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Money sent' }).waitFor();
    expect(await walletOf(bob, bobWallet)).toEqual({ balance: '4200', available: '4200' });
  });
});

describe('withdrawing', () => {
  it("shows the account holder's name before sending, then holds the amount: available balance lowered", async () => {
    const person = await newPerson(web.server, 'Wanda Withdraw');
    const walletId = await createWallet(web.server.app, person.id);
    await fund(web.server.app, walletId, 1_000_000n);
    const page = await openSignedIn(await web.newContext(), person);
    await page.getByTestId('wallet-NGN').getByRole('link', { name: 'Withdraw' }).click();
    await page.getByRole('heading', { name: 'Withdraw to a bank' }).waitFor();

    await page.getByLabel('Bank', { exact: true }).selectOption({ label: 'Sandbox Bank' });
    await page.getByLabel('Account number').fill('0123456789');
    await page.getByText('Account name: Sandbox Account 6789').waitFor();
    expect(await accessibilityProblems(page)).toEqual([]);
    await page.getByLabel('Amount (NGN)').fill('2,500');
    await page.getByRole('button', { name: 'Continue' }).click();

    await page.getByRole('heading', { name: 'Check and withdraw' }).waitFor();
    expect(await question(page)).toMatch(/^Withdraw \D*2,500\.00 to Sandbox Account 6789, Sandbox Bank\?$/);
    expect(await accessibilityProblems(page)).toEqual([]);
    // The name was shown with nothing sent yet.
    expect(await sql(web.server, `select id from transactions where account_id = ? and type = 'WITHDRAWAL'`, [walletId])).toEqual([]);
    await page.getByRole('button', { name: 'Withdraw now' }).click();

    await page.getByRole('heading', { name: 'On its way' }).waitFor();
    expect(await page.getByRole('status').filter({ hasText: 'on its way' }).innerText()).toMatch(
      /^\D*2,500\.00 is on its way to Sandbox Account 6789, Sandbox Bank\./,
    );
    const details = await page.locator('dl.details').innerText();
    expect(details).toMatch(/Status\s+Pending/);
    expect(details).toMatch(/Available now\s+\D*7,500\.00/);
    expect(details).toMatch(/Balance\s+\D*10,000\.00/);
    expect(await accessibilityProblems(page)).toEqual([]);
    expect(await walletOf(person, walletId)).toEqual({ balance: '1000000', available: '750000' });
    const [row] = await sql<{ status: string; amount: string }>(
      web.server,
      `select status, amount::text as amount from transactions where account_id = ? and type = 'WITHDRAWAL'`,
      [walletId],
    );
    expect(row).toEqual({ status: 'PENDING', amount: '250000' });

    // The wallets page shows the hold too.
    await page.locator('.actions').getByRole('link', { name: 'Back to your wallets' }).click();
    await expect.poll(() => page.getByTestId('wallet-NGN').innerText()).toMatch(/Available \D*7,500\.00 \(\D*2,500\.00 on hold\)/);
  });

  it('refuses more than is available in words, with nothing held (phone)', async () => {
    const person = await newPerson(web.server, 'Wes Short');
    const walletId = await createWallet(web.server.app, person.id);
    await fund(web.server.app, walletId, 5_000n);
    const page = await openSignedIn(await web.newContext(PHONE), person, `/withdraw?wallet=${walletId}`);
    await page.getByLabel('Bank', { exact: true }).selectOption({ label: 'Sandbox Microfinance' });
    await page.getByLabel('Account number').fill('1112223334');
    // Continue before the amount: what is missing, in words.
    await page.getByText('Account name: Sandbox Account 3334').waitFor();
    await page.getByRole('button', { name: 'Continue' }).click();
    await expect.poll(() => page.getByRole('alert').innerText()).toMatch(/^Enter an amount in NGN/);
    await page.getByLabel('Amount (NGN)').fill('100');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('button', { name: 'Withdraw now' }).click();
    await page.getByRole('heading', { name: 'Bank account and amount' }).waitFor();
    await expect.poll(() => page.getByRole('alert').innerText()).toBe('There is not enough money available for this.');
    expect(await walletOf(person, walletId)).toEqual({ balance: '5000', available: '5000' });
    expect(await sql(web.server, `select id from transactions where account_id = ? and type = 'WITHDRAWAL'`, [walletId])).toEqual([]);
  });
});
