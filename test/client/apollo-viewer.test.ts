/**
 * Mutations that add to a list the client shows return the signed-in user (`viewer`), so
 * Apollo Client's normalized cache updates `me.wallets` and `me.cards` with no refetch and no
 * hand-written cache update.
 */
import { gql, type TypedDocumentNode } from '@apollo/client';
import { afterEach, describe, expect, it } from 'vitest';
import type { Currency } from '../generated/graphql.js';
import { fund, seedUsers } from '../support/money.js';
import { useTestServer } from '../support/server.js';
import { CARD, ME, WALLET, type CardParts, type WalletParts } from './apollo-documents.js';
import { apolloClient, disposeClients, observe, signUpThrough } from './apollo-support.js';

// One server for the suite; the tests keep to users of their own, so nothing is reset between them.
const server = useTestServer({}, { reset: false });
afterEach(() => disposeClients());

type Viewer = { id: string; wallets: WalletParts[]; cards?: CardParts[] };

const CREATE_WALLET: TypedDocumentNode<{ createWallet: { wallet: { id: string }; viewer: Viewer } }, { currency: Currency }> = gql`
  mutation CreateWalletWithViewer($currency: Currency!) {
    createWallet(input: { currency: $currency }) {
      wallet { id }
      viewer { id wallets { ...WalletParts } }
    }
  }
  ${WALLET}
`;

const CREATE_CARD: TypedDocumentNode<
  { createCard: { card: { id: string }; viewer: Viewer } },
  { walletId: string; key: string }
> = gql`
  mutation CreateCardWithViewer($walletId: ID!, $key: String!) {
    createCard(input: { walletId: $walletId, label: "Groceries", idempotencyKey: $key }) {
      card { id }
      viewer { id wallets { ...WalletParts } cards { ...CardParts label } }
    }
  }
  ${WALLET}
  ${CARD}
`;

const TRANSFER: TypedDocumentNode<
  { transfer: { viewer: Viewer } },
  { from: string; to: string; amount: string; key: string }
> = gql`
  mutation TransferWithViewer($from: ID!, $to: String!, $amount: MinorUnits!, $key: String!) {
    transfer(input: { fromWalletId: $from, recipientEmail: $to, amount: $amount, idempotencyKey: $key }) {
      viewer { id wallets { ...WalletParts } }
    }
  }
  ${WALLET}
`;

describe('viewer on mutation payloads', () => {
  it("updates the watched home screen's wallets and cards from the mutation's answer alone", async () => {
    const c = apolloClient(server);
    const auth = await signUpThrough(c, 'Viewer');
    const home = observe(c.apollo.watchQuery({ query: ME, variables: { skipCards: false } }));
    await home.until((d) => d.me !== null && d.me.wallets!.length === 0 && d.me.cards!.length === 0);

    const created = await c.apollo.mutate({ mutation: CREATE_WALLET, variables: { currency: 'NGN' } });
    expect(created.data!.createWallet.viewer.id).toBe(auth.user.id);
    const walletId = created.data!.createWallet.wallet.id;
    // No refetch and no cache.modify: the list in the cache is the one the payload carried.
    const withWallet = await home.until((d) => d.me!.wallets!.length === 1);
    expect(withWallet.me!.wallets![0].id).toBe(walletId);

    await c.apollo.mutate({ mutation: CREATE_CARD, variables: { walletId, key: 'card-1' } });
    const withCard = await home.until((d) => d.me!.cards!.length === 1);
    expect(withCard.me!.cards![0]).toMatchObject({ label: 'Groceries', status: 'ACTIVE' });
  });

  it('is the signed-in user, whose wallets show the balance after a transfer', async () => {
    const [ada, bob] = await seedUsers(server.app, 2);
    const c = apolloClient(server, ada.token);
    const created = await c.apollo.mutate({ mutation: CREATE_WALLET, variables: { currency: 'NGN' } });
    const walletId = created.data!.createWallet.wallet.id;
    await fund(server.app, walletId, 10_000n);
    const sent = await c.apollo.mutate({ mutation: TRANSFER, variables: { from: walletId, to: bob.email, amount: '2500', key: 'v-1' } });
    expect(sent.data!.transfer.viewer).toMatchObject({ id: ada.id, wallets: [{ id: walletId, balance: { amount: '7500' } }] });
    const cached = c.apollo.cache.readFragment<WalletParts>({ id: `Wallet:${walletId}`, fragment: WALLET, fragmentName: 'WalletParts' });
    expect(cached).toMatchObject({ balance: { amount: '7500' } });
  });
});
