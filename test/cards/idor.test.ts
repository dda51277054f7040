import { describe, expect, it } from 'vitest';
import {
  CardDocument,
  FreezeCardDocument,
  FundCardDocument,
  MyCardsDocument,
  RevealCardDocument,
  SetCardSpendingLimitDocument,
  SimulateCardPurchaseDocument,
  TerminateCardDocument,
  TransactionsDocument,
  UnfreezeCardDocument,
  WithdrawFromCardDocument,
} from '../generated/graphql.js';
import { useTestServer } from '../support/server.js';
import { errorCode, key, newCard, sql, userWithWallet } from './sandbox-support.js';

const server = useTestServer();

/** Everything about the card and its money that a foreign request could change. */
async function snapshot(cardId: string, walletId: string) {
  const [card] = await sql(server.app, 'select status, version, spending_limit_amount, spending_limit_interval, label from cards where id = ?', [cardId]);
  const accounts = await sql(
    server.app,
    'select id, debits_posted, credits_posted, debits_pending, credits_pending, version from ledger_accounts where id in (?, ?) order by id',
    [cardId, walletId],
  );
  const [{ n }] = await sql<{ n: string }>(server.app, 'select count(*)::text as n from transactions');
  const [{ t }] = await sql<{ t: string }>(server.app, 'select count(*)::text as t from card_reveal_tokens');
  return { card, accounts, transactions: n, revealTokens: t };
}

describe('another user’s card id everywhere', () => {
  it('is NOT_FOUND for every mutation, null for card(id), empty in transactions(filter), and nothing changes', async () => {
    const alice = await userWithWallet(server, 5_000n, 'alice');
    const mallory = await userWithWallet(server, 5_000n, 'mallory');
    const { card } = await newCard(server, alice.user.token, { walletId: alice.walletId, initialAmount: '2000', label: 'Alice' });
    // Mallory has a card of her own, so "not found" is not just "has no cards".
    const { card: own } = await newCard(server, mallory.user.token, { walletId: mallory.walletId, initialAmount: '100' });
    const before = await snapshot(card.id, alice.walletId);
    const token = mallory.user.token;

    const q = await server.gql(CardDocument, { id: card.id }, { token });
    expect(q.errors, JSON.stringify(q.errors)).toBeUndefined();
    expect(q.data!.card).toBeNull();

    const attempts: [string, () => Promise<{ errors?: readonly { extensions?: Record<string, unknown> }[]; data?: unknown }>][] = [
      ['fundCard', () => server.gql(FundCardDocument, { input: { cardId: card.id, amount: '100', idempotencyKey: key() } }, { token })],
      ['withdrawFromCard', () => server.gql(WithdrawFromCardDocument, { input: { cardId: card.id, amount: '100', idempotencyKey: key() } }, { token })],
      ['freezeCard', () => server.gql(FreezeCardDocument, { input: { cardId: card.id } }, { token })],
      ['unfreezeCard', () => server.gql(UnfreezeCardDocument, { input: { cardId: card.id } }, { token })],
      ['terminateCard', () => server.gql(TerminateCardDocument, { input: { cardId: card.id } }, { token })],
      [
        'setCardSpendingLimit',
        () => server.gql(SetCardSpendingLimitDocument, { input: { cardId: card.id, limit: { amount: '1', interval: 'DAILY' } } }, { token }),
      ],
      ['setCardSpendingLimit(null)', () => server.gql(SetCardSpendingLimitDocument, { input: { cardId: card.id, limit: null } }, { token })],
      ['revealCard', () => server.gql(RevealCardDocument, { input: { cardId: card.id } }, { token })],
      ['simulateCardPurchase', () => server.gql(SimulateCardPurchaseDocument, { input: { cardId: card.id, amount: '100', merchantName: 'Shop' } }, { token })],
      [
        'simulateCardPurchase(key)',
        () => server.gql(SimulateCardPurchaseDocument, { input: { cardId: card.id, amount: '100', merchantName: 'Shop', idempotencyKey: key() } }, { token }),
      ],
    ];
    for (const [name, attempt] of attempts) {
      const res = await attempt();
      expect(errorCode(res), `${name}: ${JSON.stringify(res)}`).toBe('NOT_FOUND');
      expect(res.data ?? null, name).toBeNull();
      // The answer names nothing of the card.
      expect(JSON.stringify(res), name).not.toContain('last4');
      expect(JSON.stringify(res), name).not.toContain('balance');
    }
    // Frozen by Alice first, so unfreeze has something it could change too.
    await server.gql(FreezeCardDocument, { input: { cardId: card.id } }, { token: alice.user.token });
    const frozen = await snapshot(card.id, alice.walletId);
    expect(errorCode(await server.gql(UnfreezeCardDocument, { input: { cardId: card.id } }, { token }))).toBe('NOT_FOUND');
    expect(await snapshot(card.id, alice.walletId)).toEqual(frozen);
    await server.gql(UnfreezeCardDocument, { input: { cardId: card.id } }, { token: alice.user.token });

    // A missing id and a malformed one look the same as Alice's.
    expect(errorCode(await server.gql(FreezeCardDocument, { input: { cardId: '00000000-0000-4000-8000-000000000000' } }, { token }))).toBe('NOT_FOUND');
    expect(errorCode(await server.gql(FreezeCardDocument, { input: { cardId: 'not-a-uuid' } }, { token }))).toBe('NOT_FOUND');

    const history = await server.gql(TransactionsDocument, { filter: { cardId: card.id } }, { token });
    expect(history.errors, JSON.stringify(history.errors)).toBeUndefined();
    expect(history.data!.transactions.edges).toEqual([]);

    const mine = await server.gql(MyCardsDocument, {}, { token });
    expect(mine.data!.me!.cards.map((c) => c.id)).toEqual([own.id]);
    const hers = await server.gql(MyCardsDocument, {}, { token: alice.user.token });
    expect(hers.data!.me!.cards.map((c) => c.id)).toEqual([card.id]);

    // Nothing of Alice's moved or changed (the freeze/unfreeze above were hers: two versions,
    // kept on the card's account).
    const after = await snapshot(card.id, alice.walletId);
    const accounts = after.accounts.map((a) => (a.id === card.id ? { ...a, version: (a.version as number) - 2 } : a));
    expect({ ...after, accounts }).toEqual(before);
    expect(await sql(server.app, 'select id from transactions where user_id = ? and account_id = ?', [mallory.user.id, card.id])).toEqual([]);
    // Alice still sees and uses her card.
    const hersNow = await server.gql(CardDocument, { id: card.id }, { token: alice.user.token });
    expect(hersNow.data!.card).toMatchObject({ id: card.id, status: 'ACTIVE', balance: { amount: '2000' } });
  });

  it('one user’s cardId and another user’s walletId in a filter yield an empty list', async () => {
    const alice = await userWithWallet(server, 5_000n, 'alice');
    const mallory = await userWithWallet(server, 5_000n, 'mallory');
    const { card } = await newCard(server, alice.user.token, { walletId: alice.walletId, initialAmount: '2000' });
    const mixed = await server.gql(TransactionsDocument, { filter: { cardId: card.id, walletId: mallory.walletId } }, { token: mallory.user.token });
    expect(mixed.errors, JSON.stringify(mixed.errors)).toBeUndefined();
    expect(mixed.data!.transactions.edges).toEqual([]);
    const viaCard = await server.raw(
      `query($id: ID!) { card(id: $id) { id transactions(first: 10) { edges { node { id } } } } }`,
      { id: card.id },
      { token: mallory.user.token },
    );
    expect(viaCard.data).toEqual({ card: null });
  });
});

describe('card links', () => {
  it('Transaction.card is set for card rows and null for wallet rows; Card.wallet is the funding wallet', async () => {
    const { user, walletId } = await userWithWallet(server, 5_000n);
    const { card, fundingTransaction } = await newCard(server, user.token, { walletId, initialAmount: '1000' });
    expect(card.wallet.id).toBe(walletId);
    await server.gql(SimulateCardPurchaseDocument, { input: { cardId: card.id, amount: '100', merchantName: 'Shop' } }, { token: user.token });

    const res = await server.raw(
      `query { transactions(first: 50) { edges { node { id type direction reference wallet { id } card { id wallet { id } } } } } }`,
      {},
      { token: user.token },
    );
    expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
    type Node = { id: string; type: string; direction: string; reference: string; wallet: { id: string } | null; card: { id: string; wallet: { id: string } } | null };
    const nodes = (res.data as { transactions: { edges: { node: Node }[] } }).transactions.edges.map((e) => e.node);
    const funding = nodes.filter((n) => n.reference === fundingTransaction!.reference);
    expect(funding).toHaveLength(2);
    const cardSide = funding.find((n) => n.direction === 'CREDIT')!;
    const walletSide = funding.find((n) => n.direction === 'DEBIT')!;
    expect(cardSide.card).toEqual({ id: card.id, wallet: { id: walletId } });
    expect(walletSide.card).toBeNull();
    expect(walletSide.wallet).toEqual({ id: walletId });
    const deposit = nodes.find((n) => n.type === 'DEPOSIT')!;
    expect(deposit.card).toBeNull();
    const purchase = nodes.find((n) => n.type === 'CARD_PURCHASE')!;
    expect(purchase.card?.id).toBe(card.id);

    const cards = await server.gql(MyCardsDocument, {}, { token: user.token });
    expect(cards.data!.me!.cards).toMatchObject([{ id: card.id, wallet: { id: walletId } }]);
  });
});
