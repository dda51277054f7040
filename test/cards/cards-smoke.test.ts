import { describe, expect, it } from 'vitest';
import {
  CardDocument,
  CreateCardDocument,
  RevealCardDocument,
  SimulateCardPurchaseDocument,
  TerminateCardDocument,
  WalletDocument,
} from '../generated/graphql.js';
import { createWallet, fund, seedUsers } from '../support/money.js';
import { useTestServer } from '../support/server.js';
import { expectBalanced } from '../support/helpers.js';

const server = useTestServer();

describe('sandbox cards', () => {
  it('creates a loaded card, spends, reveals once, and terminates back to the wallet', async () => {
    const [u, other] = await seedUsers(server.app, 2);
    const walletId = await createWallet(server.app, u.id);
    await fund(server.app, walletId, 10_000n);
    const created = await server.gql(
      CreateCardDocument,
      { input: { walletId, label: 'Groceries', initialAmount: '5000', idempotencyKey: 'c1' } },
      { token: u.token },
    );
    expect(created.errors, JSON.stringify(created.errors)).toBeUndefined();
    const card = created.data!.createCard.card;
    expect(card).toMatchObject({ provider: 'sandbox', brand: 'VISA', status: 'ACTIVE', currency: 'NGN', label: 'Groceries' });
    expect(card.balance.amount).toBe('5000');
    expect(created.data!.createCard.fundingTransaction).toMatchObject({ type: 'CARD_FUNDING', direction: 'CREDIT' });

    const ok = await server.gql(
      SimulateCardPurchaseDocument,
      { input: { cardId: card.id, amount: '1200', merchantName: 'Shoprite', merchantCategory: 'grocery' } },
      { token: u.token },
    );
    expect(ok.errors).toBeUndefined();
    expect(ok.data!.simulateCardPurchase.transaction).toMatchObject({ type: 'CARD_PURCHASE', status: 'COMPLETED', card: { id: card.id } });
    expect(ok.data!.simulateCardPurchase.card.balance.amount).toBe('3800');

    const declined = await server.gql(
      SimulateCardPurchaseDocument,
      { input: { cardId: card.id, amount: '100', merchantName: 'DECLINE' } },
      { token: u.token },
    );
    expect(declined.data!.simulateCardPurchase.transaction).toMatchObject({ status: 'FAILED', failureReason: 'Declined by the issuer' });
    const tooMuch = await server.gql(
      SimulateCardPurchaseDocument,
      { input: { cardId: card.id, amount: '999999', merchantName: 'Jeweller' } },
      { token: u.token },
    );
    expect(tooMuch.data!.simulateCardPurchase.transaction.status).toBe('FAILED');

    const reveal = await server.gql(RevealCardDocument, { input: { cardId: card.id } }, { token: u.token });
    const page = await fetch(reveal.data!.revealCard.url!);
    const html = await page.text();
    const digits = /(\d{4} \d{4} \d{4} \d{4})/.exec(html)![1].replace(/ /g, '');
    expect(digits.endsWith(card.last4)).toBe(true);
    expect((await fetch(reveal.data!.revealCard.url!)).status).toBe(404);

    const foreign = await server.gql(CardDocument, { id: card.id }, { token: other.token });
    expect(foreign.errors, JSON.stringify(foreign.errors)).toBeUndefined();
    expect(foreign.data!.card).toBeNull();

    const terminated = await server.gql(TerminateCardDocument, { input: { cardId: card.id } }, { token: u.token });
    expect(terminated.data!.terminateCard.card).toMatchObject({ status: 'TERMINATED', balance: { amount: '0' } });
    const w = await server.gql(WalletDocument, { id: walletId }, { token: u.token });
    expect(w.data!.wallet!.balance.amount).toBe('8800');
    await expectBalanced(server);
  });
});

describe('merchant text', () => {
  it('is kept to 200 characters', async () => {
    const [u] = await seedUsers(server.app, 1);
    const walletId = await createWallet(server.app, u.id);
    await fund(server.app, walletId, 1_000n);
    const created = await server.gql(CreateCardDocument, { input: { walletId, initialAmount: '500', idempotencyKey: 'm' } }, { token: u.token });
    const cardId = created.data!.createCard.card.id;
    const res = await server.gql(
      SimulateCardPurchaseDocument,
      { input: { cardId, amount: '10', merchantName: 'M'.repeat(5_000), merchantCategory: 'c'.repeat(500) } },
      { token: u.token },
    );
    expect(res.errors).toBeUndefined();
    const t = res.data!.simulateCardPurchase.transaction;
    expect(t.merchant!.name).toHaveLength(200);
    expect(t.merchant!.category).toHaveLength(200);
    expect(t.description).toHaveLength(200);
  });
});
