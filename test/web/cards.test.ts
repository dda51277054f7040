import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { CardDocument, CreateCardDocument, FreezeCardDocument, SimulateCardPurchaseDocument, UnfreezeCardDocument, WalletDocument } from '../generated/graphql.js';
import { sql } from '../support/helpers.js';
import { createWallet, fund } from '../support/money.js';
import { accessibilityProblems, DESKTOP, newPerson, openSignedIn, PHONE, useWebApp } from './support.js';

/**
 * The cards screens in Chromium, used as a person uses them: a new card loaded from a wallet,
 * loading and unloading it, freezing (a test purchase is then declined, in words), a test
 * purchase approved and the balance changing live, the spending limit, terminating after a
 * confirmation, and the one-time page that shows the number; at a desktop and a phone's size,
 * scanned by axe-core.
 */
const web = useWebApp();

type Person = Awaited<ReturnType<typeof newPerson>>;

/** A person with an NGN wallet holding `amount` kobo. */
async function personWithMoney(name: string, amount = 500_000n): Promise<{ person: Person; walletId: string }> {
  const person = await newPerson(web.server, name);
  const walletId = await createWallet(web.server.app, person.id);
  await fund(web.server.app, walletId, amount);
  return { person, walletId };
}

/** A card made through the API (another device), loaded with `initialAmount` kobo. */
async function apiCard(person: Person, walletId: string, initialAmount = '200000', label = 'Travel'): Promise<string> {
  const res = await web.server.gql(
    CreateCardDocument,
    { input: { walletId, label, initialAmount, idempotencyKey: `card-${Date.now()}-${Math.random()}` } },
    { token: person.token },
  );
  expect(res.errors).toBeUndefined();
  return res.data!.createCard.card.id;
}

async function cardFromApi(person: Person, id: string) {
  const res = await web.server.gql(CardDocument, { id }, { token: person.token });
  expect(res.errors).toBeUndefined();
  return res.data!.card!;
}

async function walletBalance(person: Person, id: string): Promise<string> {
  const res = await web.server.gql(WalletDocument, { id }, { token: person.token });
  expect(res.errors).toBeUndefined();
  return res.data!.wallet!.balance.amount;
}

const text = (page: Page, testId: string) => page.getByTestId(testId).innerText();

/** Nothing wider than the screen (no sideways scrolling on a phone). */
async function fitsTheScreen(page: Page): Promise<boolean> {
  return page.evaluate(() => {
    const root = (globalThis as unknown as { document: { documentElement: { scrollWidth: number; clientWidth: number } } }).document.documentElement;
    return root.scrollWidth <= root.clientWidth;
  });
}

/** Creates a card through the /cards form and opens it; returns its id. */
async function createCardInTheApp(page: Page, label: string, initial: string): Promise<string> {
  await page.getByLabel('Label (optional)').fill(label);
  await page.getByLabel('Initial amount in NGN (optional)').fill(initial);
  await page.getByRole('button', { name: 'Create card' }).click();
  await page.getByText(`Your card “${label}” is ready.`).waitFor();
  const link = page.getByRole('link', { name: new RegExp(label) });
  const href = (await link.getAttribute('href'))!;
  return href.split('/').pop()!;
}

describe('the cards screens', () => {
  it('creates a card with a first load, then loads and unloads it: the wallet and the card show the money move', async () => {
    const { person, walletId } = await personWithMoney('Card Maker');
    const page = await openSignedIn(await web.newContext(DESKTOP), person, '/cards');
    await page.getByRole('heading', { name: 'Cards', level: 1 }).waitFor();
    expect(await page.getByText('You have no card yet').isVisible()).toBe(true);
    expect(await page.getByText(/Available in this wallet:/).innerText()).toMatch(/5,000\.00/);
    expect(await accessibilityProblems(page)).toEqual([]);

    // A wrong amount is refused beside its input, in words, before anything is sent.
    await page.getByLabel('Initial amount in NGN (optional)').fill('12.345');
    await page.getByRole('button', { name: 'Create card' }).click();
    await page.getByText('Enter an amount in NGN, or leave it empty.').waitFor();

    const cardId = await createCardInTheApp(page, 'Groceries', '1,500');
    const row = page.getByTestId(`card-${cardId}`);
    expect(await row.innerText()).toMatch(/Groceries[\s\S]*VISA •••• \d{4}[\s\S]*Active[\s\S]*1,500\.00/);
    // The wallet's balance dropped by the first load (live, through the app's balance subscription).
    await expect.poll(() => page.getByText(/Available in this wallet:/).innerText()).toMatch(/3,500\.00/);
    expect(await cardFromApi(person, cardId)).toMatchObject({ status: 'ACTIVE', balance: { amount: '150000' }, label: 'Groceries' });
    expect(await walletBalance(person, walletId)).toBe('350000');
    expect(await accessibilityProblems(page)).toEqual([]);

    await row.getByRole('link').click();
    await page.getByRole('heading', { name: 'Groceries', level: 1 }).waitFor();
    expect(await text(page, 'card-balance')).toMatch(/1,500\.00/);
    expect(await text(page, 'card-wallet')).toMatch(/NGN wallet, \D*3,500\.00 available/);

    await page.getByLabel('Amount to load in NGN').fill('500');
    await page.getByRole('button', { name: 'Load card' }).click();
    await page.getByText(/Loaded .*500\.00 onto the card\./).waitFor();
    await expect.poll(() => text(page, 'card-balance')).toMatch(/2,000\.00/);
    await expect.poll(() => text(page, 'card-wallet')).toMatch(/3,000\.00/);

    await page.getByLabel('Amount to move back in NGN').fill('250.50');
    await page.getByRole('button', { name: 'Move to wallet' }).click();
    await page.getByText(/Moved .*250\.50 back to your NGN wallet\./).waitFor();
    await expect.poll(() => text(page, 'card-balance')).toMatch(/1,749\.50/);
    await expect.poll(() => text(page, 'card-wallet')).toMatch(/3,250\.50/);

    // More than the card holds: refused in plain words, nothing moves.
    await page.getByLabel('Amount to move back in NGN').fill('99999');
    await page.getByRole('button', { name: 'Move to wallet' }).click();
    await page.getByText('There is not enough money available for this.').waitFor();
    expect(await text(page, 'card-balance')).toMatch(/1,749\.50/);

    // The card's rows, newest first, each a link to its page in the history.
    const activity = page.getByTestId('card-activity');
    await expect.poll(() => activity.getByRole('link').count()).toBe(3);
    expect(await activity.getByRole('link').allInnerTexts()).toEqual([
      expect.stringMatching(/Moved back to wallet[\s\S]*−\D*250\.50/),
      expect.stringMatching(/Loaded from wallet[\s\S]*\+\D*500\.00/),
      expect.stringMatching(/Loaded from wallet[\s\S]*\+\D*1,500\.00/),
    ]);
    expect(await activity.getByRole('link').first().getAttribute('href')).toMatch(/^\/history\/[0-9a-f-]{36}$/);

    expect(await cardFromApi(person, cardId)).toMatchObject({ balance: { amount: '174950' } });
    expect(await walletBalance(person, walletId)).toBe('325050');
    // One funding row per load, however often the page re-rendered: the idempotency keys differ per action.
    const [{ n }] = await sql<{ n: string }>(web.server, `select count(*) as n from transactions where account_id = ? and type = 'CARD_FUNDING'`, [cardId]);
    expect(Number(n)).toBe(2);
    expect(await accessibilityProblems(page)).toEqual([]);
  }, 120_000);

  it('freezes (a test purchase is declined in words), unfreezes, approves a purchase and shows the balance drop live', async () => {
    const { person, walletId } = await personWithMoney('Card Spender');
    const cardId = await apiCard(person, walletId, '200000', 'Travel');
    const page = await openSignedIn(await web.newContext(DESKTOP), person, `/cards/${cardId}`);
    await page.getByRole('heading', { name: 'Travel', level: 1 }).waitFor();
    expect(await text(page, 'card-balance')).toMatch(/2,000\.00/);

    await page.getByRole('button', { name: 'Freeze card' }).click();
    await page.getByText('The card is frozen: purchases are declined').waitFor();
    expect(await text(page, 'card-status')).toBe('Frozen');
    expect((await cardFromApi(person, cardId)).status).toBe('FROZEN');
    expect(await page.getByRole('button', { name: 'Load card' }).count()).toBe(0);

    const purchase = async (merchant: string, amount: string) => {
      await page.getByLabel('Merchant name').fill(merchant);
      await page.getByLabel('Amount in NGN', { exact: true }).fill(amount);
      await page.getByRole('button', { name: 'Make test purchase' }).click();
    };
    await purchase('Shoprite', '45');
    await page.getByText(/Declined:.*45\.00 at Shoprite\. The card is frozen\./).waitFor();
    expect(await text(page, 'card-balance')).toMatch(/2,000\.00/);

    await page.getByRole('button', { name: 'Unfreeze card' }).click();
    await expect.poll(() => text(page, 'card-status')).toBe('Active');

    await purchase('Shoprite', '45');
    await page.getByText(/Approved:.*45\.00 at Shoprite\./).waitFor();
    await expect.poll(() => text(page, 'card-balance')).toMatch(/1,955\.00/);
    const activity = page.getByTestId('card-activity');
    await expect.poll(() => activity.getByRole('link').first().innerText()).toMatch(/Shoprite[\s\S]*−\D*45\.00/);
    expect(await activity.getByText('Declined').count()).toBe(1);

    // Spent elsewhere (another device, a shop): the page follows without a reload.
    await page.waitForTimeout(300);
    const spent = await web.server.gql(
      SimulateCardPurchaseDocument,
      { input: { cardId, amount: '10000', merchantName: 'Corner Shop', idempotencyKey: `elsewhere-${Date.now()}` } },
      { token: person.token },
    );
    expect(spent.errors).toBeUndefined();
    expect(spent.data!.simulateCardPurchase.transaction.status).toBe('COMPLETED');
    await expect.poll(() => text(page, 'card-balance'), { timeout: 10_000 }).toMatch(/1,855\.00/);
    await expect.poll(() => activity.getByRole('link').first().innerText(), { timeout: 10_000 }).toMatch(/Corner Shop/);
    // Frozen elsewhere: the status changes on screen too.
    expect((await web.server.gql(FreezeCardDocument, { input: { cardId } }, { token: person.token })).errors).toBeUndefined();
    await expect.poll(() => text(page, 'card-status'), { timeout: 10_000 }).toBe('Frozen');
    expect((await web.server.gql(UnfreezeCardDocument, { input: { cardId } }, { token: person.token })).errors).toBeUndefined();
    await expect.poll(() => text(page, 'card-status'), { timeout: 10_000 }).toBe('Active');

    // A spending limit per purchase: a larger purchase is declined, and the limit can be removed.
    await page.getByLabel('New limit in NGN').fill('20');
    await page.getByLabel('Counted').selectOption('PER_AUTHORIZATION');
    await page.getByRole('button', { name: 'Set limit' }).click();
    await expect.poll(() => text(page, 'card-limit')).toMatch(/up to \D*20\.00 per purchase/);
    expect((await cardFromApi(person, cardId)).spendingLimit).toEqual({ amount: '2000', interval: 'PER_AUTHORIZATION' });
    await purchase('Big Store', '30');
    await page.getByText(/Declined:.*30\.00 at Big Store\. The card's per authorization spending limit would be passed\./).waitFor();
    await page.getByRole('button', { name: 'Remove limit' }).click();
    await expect.poll(() => text(page, 'card-limit')).toMatch(/^No limit/);
    expect((await cardFromApi(person, cardId)).spendingLimit).toBeNull();

    // Terminating asks first, says it cannot be undone, and can be called off (with the keyboard too).
    await page.getByRole('button', { name: 'Terminate card…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Terminate “Travel”?' });
    await dialog.waitFor();
    expect(await dialog.innerText()).toMatch(/This cannot be undone\.[\s\S]*1,855\.00 goes back to your NGN wallet/);
    expect(await accessibilityProblems(page)).toEqual([]);
    expect(await dialog.getByRole('button', { name: 'Keep the card' }).evaluate((b) => b === b.ownerDocument.activeElement)).toBe(true);
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    expect((await cardFromApi(person, cardId)).status).toBe('ACTIVE');

    await page.getByRole('button', { name: 'Terminate card…' }).click();
    await dialog.getByRole('button', { name: 'Yes, terminate it' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await expect.poll(() => text(page, 'card-status')).toBe('Terminated');
    await page.getByText('This card is terminated: it can no longer be loaded or used.').waitFor();
    await expect.poll(() => text(page, 'card-balance')).toMatch(/^\D*0\.00$/);
    expect(await page.getByRole('button', { name: /freeze|load card|make test purchase|show card number|terminate/i }).count()).toBe(0);
    expect((await cardFromApi(person, cardId)).status).toBe('TERMINATED');
    // 5,000 - 2,000 loaded + 1,855 returned.
    expect(await walletBalance(person, walletId)).toBe('485500');
    await expect.poll(() => text(page, 'card-wallet')).toMatch(/4,855\.00/);
  }, 120_000);

  it('shows the card number on the one-time sandbox page, opened in a new tab, which does not open twice', async () => {
    const { person, walletId } = await personWithMoney('Card Revealer');
    const cardId = await apiCard(person, walletId, '100000', 'Online');
    const { last4 } = await cardFromApi(person, cardId);
    const context = await web.newContext(DESKTOP);
    const page = await openSignedIn(context, person, `/cards/${cardId}`);
    await page.getByRole('heading', { name: 'Online', level: 1 }).waitFor();
    await page.getByRole('button', { name: 'Show card number' }).click();
    const link = page.getByRole('link', { name: 'Open card number (new tab)' });
    await link.waitFor();
    expect(await link.getAttribute('target')).toBe('_blank');
    expect((await link.getAttribute('rel'))!.split(' ')).toContain('noopener');
    const url = (await link.getAttribute('href'))!;
    expect(url).toMatch(new RegExp(`^${web.server.url}/sandbox/cards/[\\w-]+$`));
    expect(await page.getByText(/Works once, until/).isVisible()).toBe(true);

    const [tab] = await Promise.all([context.waitForEvent('page'), link.click()]);
    await tab.waitForLoadState();
    const shown = await tab.locator('body').innerText();
    expect(shown).toMatch(new RegExp(`4000 \\d{4} \\d{4} ${last4}`));
    expect(shown).toMatch(/CVV \d{3}/);
    // The tab cannot reach back into the app.
    expect(await tab.evaluate(() => (globalThis as unknown as { opener: unknown }).opener)).toBeNull();
    await page.getByText('The page has been opened and its link no longer works.').waitFor();
    expect(await page.getByRole('button', { name: 'Get a new link' }).isVisible()).toBe(true);

    const again = await context.newPage();
    const res = await again.goto(url);
    expect(res!.status()).toBe(404);
    const second = await again.locator('body').innerText();
    expect(second).toMatch(/expired or was already used/);
    expect(second).not.toMatch(/\d{4} \d{4}/);
  }, 90_000);

  it('works at a phone’s size: a card, a load and a test purchase, with nothing wider than the screen', async () => {
    const { person, walletId } = await personWithMoney('Phone Carder');
    const page = await openSignedIn(await web.newContext(PHONE), person, '/cards');
    await page.getByRole('heading', { name: 'Cards', level: 1 }).waitFor();
    expect(await fitsTheScreen(page)).toBe(true);
    expect(await accessibilityProblems(page)).toEqual([]);

    const cardId = await createCardInTheApp(page, 'Phone card', '300');
    await expect.poll(() => page.getByTestId(`card-${cardId}`).innerText()).toMatch(/300\.00/);
    await page.getByTestId(`card-${cardId}`).getByRole('link').tap();
    await page.getByRole('heading', { name: 'Phone card', level: 1 }).waitFor();
    expect(await fitsTheScreen(page)).toBe(true);
    expect(await accessibilityProblems(page)).toEqual([]);

    await page.getByLabel('Amount to load in NGN').fill('200');
    await page.getByRole('button', { name: 'Load card' }).tap();
    await expect.poll(() => text(page, 'card-balance')).toMatch(/500\.00/);
    await page.getByLabel('Merchant name').fill('Bus fare');
    await page.getByLabel('Amount in NGN', { exact: true }).fill('1.25');
    await page.getByRole('button', { name: 'Make test purchase' }).tap();
    await page.getByText(/Approved:.*1\.25 at Bus fare\./).waitFor();
    await expect.poll(() => text(page, 'card-balance')).toMatch(/498\.75/);
    expect(await fitsTheScreen(page)).toBe(true);
    expect(await cardFromApi(person, cardId)).toMatchObject({ balance: { amount: '49875' } });
    expect(await walletBalance(person, walletId)).toBe('450000');
  }, 120_000);

  it('retries a load whose answer was lost with the same idempotency key: the money moves once; the next load is new', async () => {
    const { person, walletId } = await personWithMoney('Lost Answer');
    const cardId = await apiCard(person, walletId, '100000', 'Retry');
    const page = await openSignedIn(await web.newContext(DESKTOP), person, `/cards/${cardId}`);
    await page.getByRole('heading', { name: 'Retry', level: 1 }).waitFor();
    // The server does the first load, but its answer never reaches the browser.
    let lost = 0;
    await page.route('**/graphql', async (route) => {
      if (lost === 0 && route.request().postData()?.includes('CardsFund')) {
        lost += 1;
        await route.fetch();
        return route.abort('connectionreset');
      }
      return route.continue();
    });
    await page.getByLabel('Amount to load in NGN').fill('100');
    await page.getByRole('button', { name: 'Load card' }).click();
    await page.getByText('We could not reach the server. Try again.').waitFor();
    expect(lost).toBe(1);
    expect((await cardFromApi(person, cardId)).balance.amount).toBe('110000');

    await page.getByRole('button', { name: 'Load card' }).click();
    await page.getByText(/Loaded .*100\.00 onto the card\./).waitFor();
    await expect.poll(() => text(page, 'card-balance')).toMatch(/1,100\.00/);
    expect((await cardFromApi(person, cardId)).balance.amount).toBe('110000');

    // A new action after the answer: a new key, a second load.
    await page.getByLabel('Amount to load in NGN').fill('100');
    await page.getByRole('button', { name: 'Load card' }).click();
    await expect.poll(() => text(page, 'card-balance')).toMatch(/1,200\.00/);
    const [{ n }] = await sql<{ n: string }>(web.server, `select count(*) as n from transactions where account_id = ? and type = 'CARD_FUNDING'`, [cardId]);
    expect(Number(n)).toBe(3);
    expect(await walletBalance(person, walletId)).toBe('380000');
  }, 60_000);

  it('says so when a card is not there, and when there is no wallet to make one from', async () => {
    const person = await newPerson(web.server, 'No Wallet Yet');
    const page = await openSignedIn(await web.newContext(DESKTOP), person, '/cards');
    await page.getByText('A card is loaded from a wallet.').waitFor();
    expect(await page.getByRole('link', { name: 'Create a wallet first' }).getAttribute('href')).toBe('/');
    await page.goto('/cards/00000000-0000-4000-8000-000000000000');
    await page.getByRole('heading', { name: 'Card not found' }).waitFor();
    expect(await accessibilityProblems(page)).toEqual([]);
  }, 60_000);
});
