import { ApolloClient, ApolloLink, HttpLink } from '@apollo/client';
import { CombinedGraphQLErrors } from '@apollo/client/errors';
import { SetContextLink } from '@apollo/client/link/context';
import { GraphQLWsLink } from '@apollo/client/link/subscriptions';
import { createClient, type Client } from 'graphql-ws';
import { VersionedCache } from './cache';
import { graphql } from './gql';
import { sessionStore, type Session } from './session';

const Refresh = graphql(`
  mutation Refresh($refreshToken: String!) {
    refreshToken(input: { refreshToken: $refreshToken }) {
      ...SessionFields
    }
  }
`);

const LogOut = graphql(`
  mutation LogOut {
    logOut {
      revoked
    }
  }
`);

/** Refresh this long before the access token expires. */
const REFRESH_AHEAD_MS = 60_000;

export interface Api {
  apollo: ApolloClient;
  ws: Client;
  /** An access token good for at least a minute, refreshed first when needed (once, however many ask). */
  freshToken(): Promise<string | null>;
  signIn(session: Session): void;
  /** Signs out here, and on the server unless `ended` says the server has ended the session already. */
  signOut(options?: { ended?: boolean }): Promise<void>;
}

/**
 * Apollo Client over HTTP for queries and mutations and graphql-ws for subscriptions, both on
 * the page's own origin (/graphql): the access token is refreshed in the background before it
 * expires, the live connection reconnects with the fresh one, and after every reconnect (or a
 * version gap, see cache.ts) the queries on screen are fetched again, since events sent while
 * away are lost.
 */
export function createApi(origin = window.location.origin): Api {
  const httpUrl = new URL('/graphql', origin).href;
  const wsUrl = httpUrl.replace(/^http/, 'ws');
  let refreshing: Promise<string | null> | null = null;
  let catchUp: ReturnType<typeof setTimeout> | undefined;

  // Refresh runs over a link of its own, without the auth link (which would wait for it).
  const bare = new ApolloClient({ link: new HttpLink({ uri: httpUrl }), cache: new VersionedCache() });

  async function refresh(session: Session): Promise<string | null> {
    try {
      const { data } = await bare.mutate({ mutation: Refresh, variables: { refreshToken: session.refreshToken } });
      const next = data!.refreshToken;
      sessionStore.save({ ...next, user: next.user });
      return next.accessToken;
    } catch (err) {
      // A used or expired refresh token ends the session: the app shows its sign-in screen.
      if (CombinedGraphQLErrors.is(err) && err.errors.some((e) => e.extensions?.code === 'UNAUTHENTICATED')) {
        sessionStore.save(null);
        return null;
      }
      throw err;
    }
  }

  async function freshToken(): Promise<string | null> {
    const session = sessionStore.load();
    if (!session) return null;
    if (new Date(session.expiresAt).getTime() - Date.now() > REFRESH_AHEAD_MS) return session.accessToken;
    // Refresh tokens are single use: two refreshes at once would end the session.
    refreshing ??= refresh(session).finally(() => (refreshing = null));
    return refreshing;
  }

  /** Fetches what is on screen again, once for a burst of reasons. */
  function catchUpSoon() {
    clearTimeout(catchUp);
    catchUp = setTimeout(() => void apollo.refetchQueries({ include: 'active' }).catch(() => undefined), 200);
  }

  const ws = createClient({
    url: wsUrl,
    lazy: true,
    lazyCloseTimeout: 5_000,
    // Read on every (re)connection, so a reconnect carries the refreshed token.
    connectionParams: async () => {
      const token = await freshToken();
      return token ? { authorization: `Bearer ${token}` } : {};
    },
    retryAttempts: Infinity,
    retryWait: async (retries) => new Promise((r) => setTimeout(r, Math.min(1_000 * 2 ** retries, 15_000) + Math.random() * 500)),
    // 4401: the token expired or the session ended; retry (with a refreshed token) only while signed in.
    shouldRetry: (event) => (event as { code?: number }).code !== 4401 || sessionStore.load() !== null,
    on: {
      connected: (_socket, _payload, wasRetry) => (wasRetry ? catchUpSoon() : undefined),
      // The session may have ended elsewhere (a password reset): what is on screen asks again,
      // and an answer without a viewer signs this page out (App.tsx).
      closed: (event) => ((event as { code?: number }).code === 4401 ? catchUpSoon() : undefined),
    },
  });

  const auth = new SetContextLink(async (prev) => {
    const token = await freshToken();
    return { headers: { ...prev.headers, ...(token ? { authorization: `Bearer ${token}` } : {}) } };
  });
  const link = ApolloLink.split(
    ({ operationType }) => operationType === 'subscription',
    new GraphQLWsLink(ws),
    auth.concat(new HttpLink({ uri: httpUrl })),
  );
  const apollo = new ApolloClient({ link, cache: new VersionedCache({}, () => catchUpSoon()) });

  // Keep the token fresh while the app is open, so the first action after a pause is not slowed
  // by a refresh, and a session ended elsewhere is noticed.
  setInterval(() => void freshToken().catch(() => undefined), 30_000);

  return {
    apollo,
    ws,
    freshToken,
    signIn(session) {
      sessionStore.save(session);
      // A new connection carries the new token.
      ws.terminate();
    },
    async signOut({ ended = false } = {}) {
      const session = sessionStore.load();
      sessionStore.save(null);
      ws.terminate();
      await apollo.clearStore();
      if (session && !ended) {
        // Ends the session on the server too; the page is signed out whatever it answers.
        await bare
          .mutate({ mutation: LogOut, context: { headers: { authorization: `Bearer ${session.accessToken}` } } })
          .catch(() => undefined);
      }
    },
  };
}
