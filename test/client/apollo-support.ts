/**
 * An Apollo Client 4 set up the way a web or mobile app would set it up against this API:
 * queries and mutations over HTTP with the access token in `Authorization`, subscriptions
 * over graphql-ws with the token in `connectionParams`, a normalized InMemoryCache with a
 * cursor-paging policy for transaction history.
 */
import {
  ApolloClient,
  ApolloLink,
  HttpLink,
  InMemoryCache,
  type ErrorLike,
  type FieldPolicy,
  type ObservableQuery,
  type OperationVariables,
} from '@apollo/client';
import { SetContextLink } from '@apollo/client/link/context';
import { GraphQLWsLink } from '@apollo/client/link/subscriptions';
import { randomUUID } from 'node:crypto';
import { createClient, type Client } from 'graphql-ws';
import { Redis } from 'ioredis';
import type { Subscribable } from 'rxjs';
import WebSocket from 'ws';
import { REDIS_URL } from '../support/env.js';
import type { TestServer } from '../support/server.js';
import {
  CARD,
  SIGN_UP,
  TRANSACTION,
  WALLET,
  type CardParts,
  type Connection,
  type TransactionParts,
  type WalletParts,
} from './apollo-documents.js';

/**
 * History as a real app keeps it: one list per filter (first/after only page through it),
 * a page with `after` appended to what is held, a first page replacing it.
 */
const transactionsPolicy: FieldPolicy<Connection> = {
  keyArgs: ['filter'],
  merge(existing, incoming, { args }) {
    if (!existing || !args?.after) return incoming;
    return { ...incoming, edges: [...existing.edges, ...incoming.edges] };
  },
};

export function createCache(): InMemoryCache {
  return new InMemoryCache({
    typePolicies: {
      Query: { fields: { transactions: transactionsPolicy } },
      Wallet: { fields: { transactions: transactionsPolicy } },
      Card: { fields: { transactions: transactionsPolicy } },
    },
  });
}

/** One app's client: its Apollo Client, the graphql-ws client under it, and the token both send. */
export class TestClient {
  /** The access token both links send; change it as an app does after refreshing. */
  token: string | null;
  /** Close events of the WebSocket, as graphql-ws reported them. */
  readonly closes: { code: number; reason: string }[] = [];
  /** Resolves once the WebSocket is open and acknowledged (it opens with the first subscription). */
  readonly connected: Promise<void>;
  readonly ws: Client;
  readonly apollo: ApolloClient;

  constructor(server: TestServer, token: string | null) {
    this.token = token;
    let resolveConnected!: () => void;
    this.connected = new Promise<void>((resolve) => (resolveConnected = resolve));
    this.ws = createClient({
      url: server.graphqlUrl.replace(/^http/, 'ws'),
      webSocketImpl: WebSocket,
      // Read when the socket opens, so a refreshed token is used by the next connection.
      connectionParams: () => (this.token ? { authorization: `Bearer ${this.token}` } : {}),
      // A refused or ended session must surface, not be retried behind the test's back.
      retryAttempts: 0,
      on: {
        connected: () => resolveConnected(),
        closed: (event) => {
          const { code, reason } = event as { code: number; reason: string };
          this.closes.push({ code, reason });
        },
      },
    });
    const auth = new SetContextLink((prev) => ({
      headers: { ...prev.headers, ...(this.token ? { authorization: `Bearer ${this.token}` } : {}) },
    }));
    const http = new HttpLink({ uri: server.graphqlUrl, fetch });
    const link = ApolloLink.split(({ operationType }) => operationType === 'subscription', new GraphQLWsLink(this.ws), auth.concat(http));
    this.apollo = new ApolloClient({ link, cache: createCache() });
  }

  async dispose(): Promise<void> {
    this.apollo.stop();
    await this.ws.dispose();
  }
}

const clients: TestClient[] = [];

/** A client for `token` (none: signed out), disposed by disposeClients(). */
export function apolloClient(server: TestServer, token: string | null = null): TestClient {
  const client = new TestClient(server, token);
  clients.push(client);
  return client;
}

/** Disposes every client made since the last call (for afterEach). */
export async function disposeClients(): Promise<void> {
  await Promise.all(clients.splice(0).map((c) => c.dispose()));
}

/**
 * Waits until the server has subscribed to the user's event channels in Redis, so an event
 * caused now reaches the open subscription (graphql-ws acknowledges the connection, not each
 * subscription, and the server subscribes to Redis after that).
 */
export async function untilListening(server: TestServer, userId: string, topics: ('balance' | 'transaction' | 'card')[]): Promise<void> {
  const redis = new Redis(REDIS_URL);
  try {
    const channels = topics.map((t) => `${server.redisPrefix}events:${t}:${userId}`);
    for (const end = Date.now() + 8_000; Date.now() < end; ) {
      const reply = (await redis.pubsub('NUMSUB', ...channels)) as (string | number)[];
      if (reply.filter((_, i) => i % 2 === 1).every((n) => Number(n) > 0)) return;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`no subscriber on ${channels.join(', ')}`);
  } finally {
    redis.disconnect();
  }
}

/** Pays a sandbox checkout the way the checkout page's Pay button does. */
export async function payCheckout(checkoutUrl: string): Promise<Response> {
  return fetch(checkoutUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: 'outcome=success',
  });
}

/** What an ObservableQuery emits, kept, with a way to wait for a result a test expects. */
export function observe<TData, TVariables extends OperationVariables>(query: ObservableQuery<TData, TVariables>) {
  const results: ObservableQuery.Result<TData>[] = [];
  let wake: () => void = () => undefined;
  const subscription = query.subscribe({
    next: (r) => {
      results.push(r as ObservableQuery.Result<TData>);
      wake();
    },
  });
  return {
    results,
    /** Waits until the latest complete result satisfies `ok` (fails after `ms`). */
    async until(ok: (data: TData) => boolean, ms = 8_000): Promise<TData> {
      const end = Date.now() + ms;
      for (;;) {
        const last = results.at(-1);
        if (last?.dataState === 'complete' && ok(last.data as TData)) return last.data as TData;
        const left = end - Date.now();
        if (left <= 0) throw new Error(`no matching result; last: ${JSON.stringify(last?.data)}`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
    },
    stop: () => subscription.unsubscribe(),
  };
}

/** What a `client.subscribe` observable delivers: its data, and the error that ended it. */
export function collect<TData>(source: Subscribable<ApolloClient.SubscribeResult<TData>>) {
  const events: TData[] = [];
  const state: { error?: ErrorLike } = {};
  const subscription = source.subscribe({
    next: (r) => {
      if (r.data) events.push(r.data);
      if (r.error) state.error = r.error;
    },
    error: (e: ErrorLike) => (state.error = e),
  });
  return {
    events,
    error: () => state.error,
    stop: () => subscription.unsubscribe(),
  };
}

/** The sign-up screen: the client signs up, then sends the access token it got. */
export async function signUpThrough(c: TestClient, name: string) {
  const email = `${name.toLowerCase()}-${randomUUID().slice(0, 8)}@example.com`;
  const { data } = await c.apollo.mutate({
    mutation: SIGN_UP,
    variables: { input: { email, password: 'correct horse battery', fullName: name } },
  });
  c.token = data!.signUp.accessToken;
  return data!.signUp;
}

/** What the client's cache holds for one normalized object, read through a fragment. */
export function cachedWallet(c: TestClient, id: string): WalletParts | null {
  return c.apollo.readFragment<WalletParts>({ id: c.apollo.cache.identify({ __typename: 'Wallet', id }), fragment: WALLET, fragmentName: 'WalletParts' });
}

export function cachedTransaction(c: TestClient, id: string): TransactionParts | null {
  return c.apollo.readFragment<TransactionParts>({
    id: c.apollo.cache.identify({ __typename: 'Transaction', id }),
    fragment: TRANSACTION,
    fragmentName: 'TransactionParts',
  });
}

export function cachedCard(c: TestClient, id: string): CardParts | null {
  return c.apollo.readFragment<CardParts>({ id: c.apollo.cache.identify({ __typename: 'Card', id }), fragment: CARD, fragmentName: 'CardParts' });
}
