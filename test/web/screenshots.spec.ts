import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { describe, it } from 'vitest';
import { CreateCardDocument, SimulateCardPurchaseDocument, TransferLeanDocument } from '../generated/graphql.js';
import { createWallet, fund } from '../support/money.js';
import { DESKTOP, newPerson, openSignedIn, PHONE, useWebApp } from './support.js';

/**
 * The screenshots of docs/screenshots/ (linked from the README), made from the app as it is:
 * two people, a few movements between them, a card with a purchase. `npm run screenshots`.
 */
const OUT = path.resolve(import.meta.dirname, '../../docs/screenshots');
const web = useWebApp();

async function shot(page: Page, name: string, device: 'desktop' | 'phone') {
  // Fonts and live data settle. A desktop page is captured whole; a phone's as its screen shows
  // it (a whole-page capture would draw the fixed bottom navigation halfway down).
  await page.waitForLoadState('networkidle');
  await page.waitForTimeout(300);
  await page.screenshot({ path: path.join(OUT, `${name}-${device}.png`), fullPage: device === 'desktop' });
}

describe('screenshots', () => {
  it('of every main screen, desktop and phone', async () => {
    await mkdir(OUT, { recursive: true });
    const ada = await newPerson(web.server, 'Ada Lovelace');
    const bob = await newPerson(web.server, 'Charles Babbage');
    const ngn = await createWallet(web.server.app, ada.id, 'NGN');
    const usd = await createWallet(web.server.app, ada.id, 'USD');
    const bobNgn = await createWallet(web.server.app, bob.id, 'NGN');
    await fund(web.server.app, ngn, 25_000_000n);
    await fund(web.server.app, usd, 120_000n);
    await fund(web.server.app, bobNgn, 4_000_000n);
    let n = 0;
    const pay = (from: { token: string }, fromWallet: string, to: { email: string }, amount: string) =>
      web.server.gql(TransferLeanDocument, { input: { fromWalletId: fromWallet, recipientEmail: to.email, amount, idempotencyKey: `shot-${++n}` } }, { token: from.token });
    await pay(ada, ngn, bob, '1250000');
    await pay(bob, bobNgn, ada, '300000');
    await pay(ada, ngn, bob, '45050');
    const card = await web.server.gql(
      CreateCardDocument,
      { input: { walletId: ngn, label: 'Online shopping', initialAmount: '2000000', idempotencyKey: 'shot-card' } },
      { token: ada.token },
    );
    const cardId = card.data!.createCard.card.id;
    await web.server.gql(SimulateCardPurchaseDocument, { input: { cardId, amount: '349900', merchantName: 'Jumia', idempotencyKey: 'shot-buy' } }, { token: ada.token });

    for (const [device, options] of [['desktop', DESKTOP], ['phone', PHONE]] as const) {
      const context = await web.newContext(options);
      const signIn = await context.newPage();
      await signIn.goto('/sign-in');
      await signIn.getByRole('heading', { name: 'Sign in' }).waitFor();
      await shot(signIn, 'sign-in', device);
      const page = await openSignedIn(context, ada, '/');
      for (const [name, pathname] of [
        ['wallets', '/'],
        ['send', `/send?wallet=${ngn}`],
        ['withdraw', `/withdraw?wallet=${ngn}`],
        ['cards', '/cards'],
        ['card', `/cards/${cardId}`],
        ['history', '/history'],
      ] as const) {
        await page.goto(pathname);
        await page.locator('main h1').first().waitFor();
        await shot(page, name, device);
      }
      await context.close();
    }
  });
});
