import { randomUUID } from 'node:crypto';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { CreateCardDocument, DepositDocument, SimulateCardPurchaseDocument, TransferLeanDocument } from '../generated/graphql.js';
import { createWallet, fund, fundMany } from '../support/money.js';
import { accessibilityProblems, DESKTOP, newPerson, openSignedIn, PHONE, useWebApp } from './support.js';

/**
 * The history screens in Chromium: every transaction across wallets, page after page as the
 * list is scrolled (or with a "Load more" button and the keyboard), filters kept in the URL, a
 * transaction's own page, and transfers appearing while the page is open; at a desktop and a
 * phone's size, scanned by axe-core.
 */
const web = useWebApp();

type Person = Awaited<ReturnType<typeof newPerson>>;

/** How long a page may take to show what is polled for (a fresh browser profile loads the app first). */
const SOON = { timeout: 10_000 };

/** The rows of the list as a person sees them. */
const rowsOf = (page: Page) => page.getByRole('list', { name: 'Transactions' }).getByRole('listitem');

async function transfer(from: Person, fromWalletId: string, to: Person, amount: string, note?: string) {
  const res = await web.server.gql(
    TransferLeanDocument,
    { input: { fromWalletId, recipientEmail: to.email, amount, note, idempotencyKey: `history-${randomUUID()}` } },
    { token: from.token },
  );
  expect(res.errors).toBeUndefined();
  return res.data!.transfer.transaction.id;
}

/** Alice: 22 deposits and 2 transfers to Bob in NGN, 1 deposit in USD (25 rows: two pages of 20). */
let alice: Person;
let bob: Person;
let aliceNgn: string;
let aliceUsd: string;
let lunchId: string;
const ALICE_ROWS = 25;

beforeAll(async () => {
  [alice, bob] = [await newPerson(web.server, 'Alice History'), await newPerson(web.server, 'Bob History')];
  aliceNgn = await createWallet(web.server.app, alice.id, 'NGN');
  aliceUsd = await createWallet(web.server.app, alice.id, 'USD');
  await createWallet(web.server.app, bob.id, 'NGN');
  await fundMany(web.server.app, Array.from({ length: 22 }, () => aliceNgn), 10_000_00n);
  await fund(web.server.app, aliceUsd, 50_00n);
  lunchId = await transfer(alice, aliceNgn, bob, '123456', 'Lunch money');
  await transfer(alice, aliceNgn, bob, '5000', 'Taxi');
}, 120_000);

describe('the history list', () => {
  it('loads the next page as the list is scrolled, and says when everything is there', async () => {
    const page = await openSignedIn(await web.newContext(DESKTOP), alice, '/history');
    await page.getByRole('heading', { name: 'History' }).waitFor();
    await expect.poll(() => rowsOf(page).count(), SOON).toBe(20);
    // Newest first: the two transfers lead, in words, with the amount going out.
    expect(await rowsOf(page).first().innerText()).toMatch(/Sent to Bob History[\s\S]*Taxi[\s\S]*−\D*50\.00/);
    expect(await rowsOf(page).nth(1).innerText()).toMatch(/Sent to Bob History[\s\S]*Lunch money[\s\S]*−\D*1,234\.56/);
    expect(await page.getByText('That is everything.').count()).toBe(0);

    await page.mouse.wheel(0, 20_000);
    await expect.poll(() => rowsOf(page).count(), SOON).toBe(ALICE_ROWS);
    await page.getByText('That is everything.').waitFor();
    expect(await page.getByRole('button', { name: 'Load more' }).count()).toBe(0);
    // Deposits are money in, green, with their wallet.
    const usd = rowsOf(page).filter({ hasText: 'USD wallet' });
    expect(await usd.count()).toBe(1);
    expect(await usd.innerText()).toMatch(/Money added[\s\S]*USD wallet[\s\S]*\+\D*50\.00/);
    expect(await usd.locator('.amount-in').count()).toBe(1);
    expect(await rowsOf(page).last().innerText()).toMatch(/Money added[\s\S]*NGN wallet[\s\S]*\+\D*10,000\.00/);
    expect(await accessibilityProblems(page)).toEqual([]);
  });

  it('has a "Load more" button that works with the keyboard alone', async () => {
    const context = await web.newContext(DESKTOP);
    // Without IntersectionObserver nothing loads by itself: only the button can.
    await context.addInitScript(() => {
      delete (globalThis as { IntersectionObserver?: unknown }).IntersectionObserver;
    });
    const page = await openSignedIn(context, alice, '/history');
    await expect.poll(() => rowsOf(page).count(), SOON).toBe(20);
    const more = page.getByRole('button', { name: 'Load more' });
    await page.mouse.wheel(0, 20_000);
    await page.waitForTimeout(300);
    expect(await rowsOf(page).count()).toBe(20);

    const focused = () => page.evaluate(() => (globalThis as unknown as { document: { activeElement: { textContent: string } } }).document.activeElement.textContent);
    for (let i = 0; i < 60 && (await focused()) !== 'Load more'; i++) await page.keyboard.press('Tab');
    expect(await focused()).toBe('Load more');
    expect(await more.evaluate((el) => el.matches(':focus-visible'))).toBe(true);
    await page.keyboard.press('Enter');
    await expect.poll(() => rowsOf(page).count(), SOON).toBe(ALICE_ROWS);
    // The button is gone; focus lands on the words that say the list is complete.
    await expect.poll(focused, SOON).toBe('That is everything.');
    expect(await more.count()).toBe(0);
  });

  it('narrows the list by type and by wallet, keeps the filters in the URL across a reload, and clears them', async () => {
    const page = await openSignedIn(await web.newContext(DESKTOP), alice, '/history');
    await expect.poll(() => rowsOf(page).count(), SOON).toBe(20);

    await page.getByLabel('Type').selectOption({ label: 'Transfer' });
    await page.waitForURL(/\/history\?type=TRANSFER$/);
    await expect.poll(() => rowsOf(page).count(), SOON).toBe(2);
    expect(await rowsOf(page).allInnerTexts()).toEqual([expect.stringMatching(/Sent to Bob History/), expect.stringMatching(/Sent to Bob History/)]);
    await page.reload();
    await expect.poll(() => rowsOf(page).count(), SOON).toBe(2);
    expect(await page.getByLabel('Type').inputValue()).toBe('TRANSFER');
    await page.getByText('That is everything that matches these filters.').waitFor();

    await page.getByLabel('Type').selectOption({ label: 'All types' });
    await page.getByLabel('Wallet').selectOption({ label: 'USD wallet' });
    await page.waitForURL(`**/history?wallet=${aliceUsd}`);
    await expect.poll(() => rowsOf(page).count(), SOON).toBe(1);
    expect(await rowsOf(page).innerText()).toMatch(/Money added[\s\S]*USD wallet/);
    await page.reload();
    await expect.poll(() => rowsOf(page).count(), SOON).toBe(1);
    expect(await page.getByLabel('Wallet').inputValue()).toBe(aliceUsd);

    // Both at once: no USD transfer, said in words, with a way out.
    await page.getByLabel('Type').selectOption({ label: 'Transfer' });
    await page.getByText('Nothing matches these filters.').waitFor();
    expect(await rowsOf(page).count()).toBe(0);
    await page.getByRole('main').getByRole('button', { name: 'Clear filters' }).first().click();
    await page.waitForURL(/\/history$/);
    await expect.poll(() => rowsOf(page).count(), SOON).toBe(20);
    expect(await page.getByLabel('Wallet').inputValue()).toBe('');

    // A date range that ends before it starts is refused in words; today's range holds everything.
    const today = await page.evaluate(() => {
      const d = new Date();
      return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
    });
    await page.goto(`/history?from=${today}&to=2000-01-01`);
    await page.getByText('The end date is before the start date.').waitFor();
    await page.goto(`/history?from=${today}&to=${today}&status=COMPLETED`);
    await expect.poll(() => rowsOf(page).count(), SOON).toBe(20);
    await page.goto('/history?to=2000-01-01');
    await page.getByText('Nothing matches these filters.').waitFor();
  });

  it("follows a wallet's History link from the wallets page to that wallet's rows only", async () => {
    const page = await openSignedIn(await web.newContext(DESKTOP), alice, '/');
    await page.getByTestId('wallet-NGN').getByRole('link', { name: 'History' }).click();
    await page.waitForURL(`**/history?wallet=${aliceNgn}`);
    await expect.poll(() => rowsOf(page).count(), SOON).toBe(20);
    expect(await page.getByLabel('Wallet').inputValue()).toBe(aliceNgn);
    await page.getByRole('button', { name: 'Load more' }).click();
    await expect.poll(() => rowsOf(page).count(), SOON).toBe(ALICE_ROWS - 1);
    expect((await rowsOf(page).allInnerTexts()).filter((t) => t.includes('USD'))).toEqual([]);
  });
});

describe('a transaction of its own', () => {
  it('shows a transfer: who it was with, amount, direction, status, note, reference and its wallet', async () => {
    const page = await openSignedIn(await web.newContext(DESKTOP), alice, '/history?type=TRANSFER');
    await page.getByRole('link', { name: /Sent to Bob History.*Lunch money/s }).click();
    await page.waitForURL(`**/history/${lunchId}`);
    await page.getByRole('heading', { name: 'Sent to Bob History' }).waitFor();
    const details = await page.getByRole('main').innerText();
    expect(details).toMatch(/−\D*1,234\.56/);
    expect(details).toMatch(/Status\s+Completed/);
    expect(details).toMatch(/Type\s+Transfer/);
    expect(details).toMatch(/Direction\s+Money out/);
    expect(details).toMatch(/To\s+Bob History/);
    expect(details).toMatch(/Note\s+Lunch money/);
    expect(details).toMatch(/Reference\s+\S+/);
    expect(await accessibilityProblems(page)).toEqual([]);

    await page.getByRole('link', { name: 'NGN wallet history' }).click();
    await page.waitForURL(`**/history?wallet=${aliceNgn}`);
    await expect.poll(() => rowsOf(page).count(), SOON).toBe(20);

    // The other side of the same transfer, as Bob sees it.
    const bobPage = await openSignedIn(await web.newContext(PHONE), bob, '/history');
    await bobPage.getByRole('link', { name: /Received from Alice History.*Lunch money/s }).click();
    await bobPage.getByRole('heading', { name: 'Received from Alice History' }).waitFor();
    const bobDetails = await bobPage.getByRole('main').innerText();
    expect(bobDetails).toMatch(/\+\D*1,234\.56/);
    expect(bobDetails).toMatch(/From\s+Alice History/);
    expect(bobDetails).toMatch(/Direction\s+Money in/);
    expect(await accessibilityProblems(bobPage)).toEqual([]);
  });

  it("says so, in words, for a transaction that is not there or not the viewer's", async () => {
    const page = await openSignedIn(await web.newContext(DESKTOP), bob, `/history/${randomUUID()}`);
    await page.getByRole('heading', { name: 'We could not find this transaction' }).waitFor();
    // Alice's row, opened by Bob, looks the same.
    const aliceDeposit = await openSignedIn(await web.newContext(PHONE), bob, `/history/${lunchId}`);
    await aliceDeposit.getByRole('heading', { name: 'We could not find this transaction' }).waitFor();
    expect(await accessibilityProblems(aliceDeposit)).toEqual([]);
  });
});

describe('card rows and statuses', () => {
  it("shows a card's rows, a declined purchase and a pending deposit in words, and filters by card and status", async () => {
    const erin = await newPerson(web.server, 'Erin Cards');
    const wallet = await createWallet(web.server.app, erin.id);
    await fund(web.server.app, wallet, 100_000_00n);
    const as = { token: erin.token };
    const created = await web.server.gql(
      CreateCardDocument,
      { input: { walletId: wallet, label: 'Groceries', initialAmount: '500000', idempotencyKey: `card-${randomUUID()}` } },
      as,
    );
    expect(created.errors).toBeUndefined();
    const card = created.data!.createCard.card;
    const bought = await web.server.gql(SimulateCardPurchaseDocument, { input: { cardId: card.id, amount: '150000', merchantName: 'Corner Shop' } }, as);
    expect(bought.errors).toBeUndefined();
    const declined = await web.server.gql(SimulateCardPurchaseDocument, { input: { cardId: card.id, amount: '9000000', merchantName: 'Big Store' } }, as);
    expect(declined.data!.simulateCardPurchase.transaction.status).toBe('FAILED');
    const pending = await web.server.gql(DepositDocument, { input: { walletId: wallet, amount: '700000', idempotencyKey: `dep-${randomUUID()}` } }, as);
    expect(pending.data!.deposit.transaction.status).toBe('PENDING');

    const page = await openSignedIn(await web.newContext(PHONE), erin, `/history?card=${card.id}`);
    await expect.poll(() => rowsOf(page).count(), SOON).toBe(3);
    expect(await page.getByLabel('Card').inputValue()).toBe(card.id);
    const texts = await rowsOf(page).allInnerTexts();
    expect(texts[0]).toMatch(/Card purchase at Big Store[\s\S]*Groceries \(card •••• \d{4}\)[\s\S]*−\D*90,000\.00[\s\S]*Failed/);
    expect(texts[1]).toMatch(/Card purchase at Corner Shop[\s\S]*−\D*1,500\.00/);
    expect(texts[1]).not.toMatch(/Completed|Failed|Pending/);
    expect(texts[2]).toMatch(/Card topped up from your wallet[\s\S]*\+\D*5,000\.00/);
    expect(await accessibilityProblems(page)).toEqual([]);

    await rowsOf(page).first().getByRole('link').click();
    await page.getByRole('heading', { name: 'Card purchase at Big Store' }).waitFor();
    const details = await page.getByRole('main').innerText();
    expect(details).toMatch(/The card declined this purchase, so nothing was charged\./);
    expect(details).toMatch(/Status\s+Failed/);
    expect(details).toMatch(/Merchant\s+Big Store/);
    expect(await page.getByRole('link', { name: /Groceries/ }).getAttribute('href')).toBe(`/cards/${card.id}`);
    expect(await accessibilityProblems(page)).toEqual([]);

    await page.goto('/history?status=PENDING');
    await expect.poll(() => rowsOf(page).count(), SOON).toBe(1);
    expect(await rowsOf(page).innerText()).toMatch(/Money added[\s\S]*\+\D*7,000\.00[\s\S]*Pending/);
  });
});

describe('live', () => {
  it('shows transfers made while the page is open, without a reload (phone)', async () => {
    const [carol, dan] = [await newPerson(web.server, 'Carol Live'), await newPerson(web.server, 'Dan Live')];
    const carolWallet = await createWallet(web.server.app, carol.id);
    await createWallet(web.server.app, dan.id);
    await fund(web.server.app, carolWallet, 1_000_000n);

    const page = await openSignedIn(await web.newContext(PHONE), dan, '/history');
    await page.getByText('No transactions yet.').waitFor();
    expect(await accessibilityProblems(page)).toEqual([]);
    await page.evaluate(() => ((globalThis as { notReloaded?: boolean }).notReloaded = true));
    // Give the live connection a moment to open, then Carol pays from her own device.
    await page.waitForTimeout(500);
    await transfer(carol, carolWallet, dan, '250000', 'Rent share');
    await expect.poll(() => rowsOf(page).count(), SOON).toBe(1);
    expect(await rowsOf(page).first().innerText()).toMatch(/Received from Carol Live[\s\S]*Rent share[\s\S]*\+\D*2,500\.00/);
    await transfer(carol, carolWallet, dan, '1000', 'Coffee');
    await expect.poll(() => rowsOf(page).count(), SOON).toBe(2);
    expect(await rowsOf(page).first().innerText()).toMatch(/Received from Carol Live[\s\S]*Coffee/);
    expect(await page.evaluate(() => (globalThis as { notReloaded?: boolean }).notReloaded)).toBe(true);
    expect(await accessibilityProblems(page)).toEqual([]);

    // On a phone the filters start folded away; a list narrowed to something else stays as it
    // is when a transfer arrives.
    expect(await page.getByLabel('Type').isVisible()).toBe(false);
    await page.getByText('Filters', { exact: true }).click();
    await page.getByLabel('Type').selectOption({ label: 'Money added' });
    await page.getByText('Filters (1 on)').waitFor();
    await page.getByText('Nothing matches these filters.').waitFor();
    await transfer(carol, carolWallet, dan, '2000', 'Snacks');
    await page.waitForTimeout(1_000);
    expect(await rowsOf(page).count()).toBe(0);
  });
});

