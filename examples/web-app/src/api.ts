/**
 * The client side of this API as a web or mobile app builds it on Apollo Client 4 and graphql-ws:
 * tokens kept fresh in the background, subscriptions that reconnect with a fresh token and catch
 * up afterwards, idempotency keys kept with the action they protect, and errors turned into
 * words by code and input. docs/frontend.md walks through it; test/client/web-app-example.test.ts
 * runs it against the real server.
 */
import {
  ApolloClient,
  ApolloLink,
  CombinedGraphQLErrors,
  HttpLink,
  InMemoryCache,
  type ApolloCache,
  type DocumentNode,
} from '@apollo/client';
import { SetContextLink } from '@apollo/client/link/context';
import { GraphQLWsLink } from '@apollo/client/link/subscriptions';
import { createClient, type Client } from 'graphql-ws';
import { Refresh } from './operations.js';

export interface Session {
  accessToken: string;
  refreshToken: string;
  /** ISO-8601, when the access token expires. */
  expiresAt: string;
}

/** Where the app keeps its session (localStorage, secure storage on mobile, memory in tests). */
export interface SessionStore {
  load(): Session | null;
  save(session: Session | null): void;
}

export interface ApiOptions {
  httpUrl: string;
  wsUrl: string;
  store: SessionStore;
  /** Refresh this long before the access token expires. */
  refreshAheadMs?: number;
  /** Called after the live connection (re)opens: query what may have been missed. */
  onReconnected?: () => void;
  /** WebSocket implementation outside browsers (the `ws` package in Node). */
  webSocketImpl?: unknown;
}

export interface Api {
  apollo: ApolloClient;
  ws: Client;
  /** An access token valid for at least refreshAheadMs, refreshing (once, however many callers) if needed. */
  freshToken(): Promise<string | null>;
  signedIn(session: Session): void;
  signedOut(): void;
  dispose(): Promise<void>;
}

export function createApi(options: ApiOptions): Api {
  const { store } = options;
  const refreshAhead = options.refreshAheadMs ?? 60_000;
  let refreshing: Promise<string | null> | null = null;

  // Refresh goes over its own link without the auth link: it must not wait for itself.
  const bare = new ApolloClient({ link: new HttpLink({ uri: options.httpUrl }), cache: new InMemoryCache() });

  async function refresh(session: Session): Promise<string | null> {
    try {
      const { data } = await bare.mutate({ mutation: Refresh, variables: { refreshToken: session.refreshToken } });
      const next = data!.refreshToken;
      store.save({ accessToken: next.accessToken, refreshToken: next.refreshToken, expiresAt: next.expiresAt });
      return next.accessToken;
    } catch (err) {
      // A used or expired refresh token ends the session: the app shows its sign-in screen.
      if (CombinedGraphQLErrors.is(err) && err.errors.some((e) => e.extensions?.code === 'UNAUTHENTICATED')) {
        store.save(null);
        return null;
      }
      throw err;
    }
  }

  async function freshToken(): Promise<string | null> {
    const session = store.load();
    if (!session) return null;
    if (new Date(session.expiresAt).getTime() - Date.now() > refreshAhead) return session.accessToken;
    // Refresh tokens are single use: two refreshes at once would sign the user out.
    refreshing ??= refresh(session).finally(() => (refreshing = null));
    return refreshing;
  }

  const ws = createClient({
    url: options.wsUrl,
    webSocketImpl: options.webSocketImpl,
    lazy: true,
    // Read on every (re)connection, so a reconnect carries the refreshed token.
    connectionParams: async () => {
      const token = await freshToken();
      return token ? { authorization: `Bearer ${token}` } : {};
    },
    retryAttempts: Infinity,
    // 4401: the token expired or the session ended. Retry only while there is a session to refresh.
    shouldRetry: (event) => (event as { code?: number }).code !== 4401 || store.load() !== null,
    on: { connected: (_socket, _payload, wasRetry) => (wasRetry ? options.onReconnected?.() : undefined) },
  });

  const auth = new SetContextLink(async (prev) => {
    const token = await freshToken();
    return { headers: { ...prev.headers, ...(token ? { authorization: `Bearer ${token}` } : {}) } };
  });
  const link = ApolloLink.split(
    ({ operationType }) => operationType === 'subscription',
    new GraphQLWsLink(ws),
    auth.concat(new HttpLink({ uri: options.httpUrl })),
  );
  const apollo = new ApolloClient({ link, cache: new InMemoryCache() });

  return {
    apollo,
    ws,
    freshToken,
    signedIn: (session) => store.save(session),
    signedOut: () => {
      store.save(null);
      void apollo.clearStore();
    },
    dispose: async () => {
      apollo.stop();
      bare.stop();
      await ws.dispose();
    },
  };
}

/** What a live event did to the cache. */
export type EventOutcome = 'applied' | 'stale' | 'gap';

/**
 * Applies a live Wallet or Card (subscribe with `fetchPolicy: 'no-cache'`, then call this):
 * an event older than what the cache holds is dropped, and a version that skips one means
 * events were missed (reconnect, Redis away), so the caller queries to catch up.
 */
export function applyVersioned<T extends { __typename?: string; id: string; version: number }>(
  cache: ApolloCache,
  fragment: DocumentNode,
  fragmentName: string,
  incoming: T,
): EventOutcome {
  const id = cache.identify({ __typename: incoming.__typename, id: incoming.id });
  const held = cache.readFragment<{ version: number }>({ id, fragment, fragmentName });
  if (held && incoming.version <= held.version) return 'stale';
  cache.writeFragment({ id, fragment, fragmentName, data: incoming });
  return held && incoming.version > held.version + 1 ? 'gap' : 'applied';
}

/** A key for one user action; keep it with the action so a retry (timeout, reload) reuses it. */
export function newIdempotencyKey(): string {
  return crypto.randomUUID();
}

/** Words for a form: what went wrong, and which input to show it beside. */
export interface FormError {
  field: string | null;
  message: string;
}

const WORDS: Record<string, string> = {
  UNAUTHENTICATED: 'Please sign in again.',
  FORBIDDEN: 'You are not allowed to do that.',
  NOT_FOUND: 'We could not find that.',
  EMAIL_TAKEN: 'An account with this email already exists.',
  INVALID_CREDENTIALS: 'Wrong email or password.',
  INSUFFICIENT_FUNDS: 'Not enough money available for this.',
  CARD_NOT_ACTIVE: 'This card is frozen or terminated.',
  LIMIT_EXCEEDED: 'This is over your limit.',
  IDEMPOTENCY_KEY_IN_PROGRESS: 'Still working on it; try again in a moment.',
  RATE_LIMITED: 'Too many attempts; wait a little and try again.',
  PROVIDER_UNAVAILABLE: 'Our payment partner is not answering; nothing was charged. Try again.',
  UNSUPPORTED_CURRENCY: 'This is not available in this currency.',
};

/** Turns an Apollo error into form errors: by `extensions.field` (e.g. `input.amount`) and `code`, never the raw message. */
export function formErrors(error: unknown): FormError[] {
  if (!CombinedGraphQLErrors.is(error)) return [{ field: null, message: 'Could not reach the server. Check your connection.' }];
  return error.errors.map((e) => {
    const code = String(e.extensions?.code ?? 'INTERNAL_SERVER_ERROR');
    const field = typeof e.extensions?.field === 'string' ? e.extensions.field.replace(/^input\./, '') : null;
    const message =
      WORDS[code] ??
      (code === 'BAD_USER_INPUT' || code === 'GRAPHQL_VALIDATION_FAILED' ? 'Check this value.' : 'Something went wrong on our side.');
    return { field, message };
  });
}
