import type { EntityManager } from '@mikro-orm/postgresql';
import type { DocumentNode, GraphQLFormattedError, GraphQLSchema, ParseOptions, ValidationRule } from 'graphql';
import { GraphQLError, getOperationAST, parse, specifiedRules, validate, type ExecutionResult } from 'graphql';
import { CloseCode } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import type { IncomingMessage, Server } from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';
import type { FastifyBaseLogger } from 'fastify';
import { randomUUID } from 'node:crypto';
import type { ClientInfo, Viewer } from '../domain/auth/auth.service.js';
import type { GraphQLContext } from '../schema/context.js';
import { Topic, type PlatformEvents } from '../domain/events/topics.js';
import type { OriginRule } from './origins.js';
import { documentTooLarge } from './graphql-limits.js';
import { ErrorCode } from '../domain/shared/error-codes.js';
import { credentialsOf } from './ws-credentials.js';

interface Extra extends Record<PropertyKey, unknown> {
  socket: WebSocket;
  request: IncomingMessage;
  /** Set once a connection_init with a live access token is acknowledged. */
  viewer?: Viewer;
  /** A connection acknowledged without credentials: public operations only. */
  anonymous?: { lastActivity: number };
}

/** What one user or one address may hold open (WS_* settings). */
export interface WebSocketCaps {
  /** A connection that sends no `connection_init` within this is closed (4408). */
  initTimeoutMs: number;
  maxConnectionsPerIp: number;
  maxConnectionsPerUser: number;
  /** Operations in progress over all of a user's connections, subscriptions included (and over one anonymous connection). */
  maxSubscriptionsPerUser: number;
  /** Connections acknowledged without credentials, per address (4429 beyond). */
  maxAnonymousConnectionsPerIp: number;
  /** An anonymous connection with no operation in progress for this long is closed (1000). */
  anonymousIdleMs: number;
}

/** Closed with this when a user already holds as many connections as allowed. */
export const TOO_MANY_CONNECTIONS = 4429;

export interface WebSocketDeps {
  server: Server;
  schema: GraphQLSchema;
  log: FastifyBaseLogger;
  authenticate(em: EntityManager, authorization: string | undefined): Promise<Viewer | null>;
  isSessionRevoked(em: EntityManager, sessionId: string): Promise<boolean>;
  refusal(em: EntityManager, authorization: string | undefined): Promise<'missing' | 'invalid' | 'expired' | 'revoked'>;
  buildContext(requestId: string, client: ClientInfo, viewer: Viewer | null): Promise<GraphQLContext>;
  fork(): EntityManager;
  formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError;
  /** The same parser limits (maxTokens) and extra validation rules (depth, aliases, cost, ...) as HTTP. */
  parseOptions: ParseOptions;
  validationRules: readonly ValidationRule[];
  /** Production: validation errors name no field or type the client did not write (no suggestions). */
  hideSchemaDetails: boolean;
  /** The largest frame a client may send (the HTTP body limit, BODY_LIMIT_BYTES). */
  maxFrameBytes: number;
  /** The largest document, checked before parsing (GRAPHQL_MAX_DOCUMENT_BYTES). */
  maxDocumentBytes: number;
  caps: WebSocketCaps;
  /** The client's address as HTTP requests see it (TRUST_PROXY). */
  clientIp(request: IncomingMessage): string;
  events: PlatformEvents;
  /** Browsers' upgrades are held to the same origin rule as HTTP; clients that send no Origin pass. */
  origins: OriginRule;
}

/** Parse and validation errors carry the codes Apollo gives them over HTTP, unless they have one. */
function withCode(error: GraphQLError, code: string): GraphQLError {
  return new GraphQLError(error.message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    originalError: error.originalError ?? error,
    extensions: { ...error.extensions, code: error.extensions.code ?? code },
  });
}

/** The error without graphql-js's "Did you mean …?" (as Apollo's hideSchemaDetailsFromClientErrors does over HTTP). */
function withoutSuggestions(error: GraphQLError): GraphQLError {
  const message = error.message.replace(/ Did you mean .+\?$/, '');
  if (message === error.message) return error;
  return new GraphQLError(message, { nodes: error.nodes, source: error.source, positions: error.positions, extensions: error.extensions });
}

/**
 * A stream that fails at once with `error`: graphql-ws answers that with an `error` message
 * for the operation (the connection stays open). It wraps what it catches in a GraphQLError of
 * its own whose original error is this one, so the domain error itself is thrown (formatError
 * then gives its code and extensions; anything else is masked there).
 */
function refusedStream(error: GraphQLError): AsyncIterableIterator<never> {
  const reason = error.originalError && !(error.originalError instanceof GraphQLError) ? error.originalError : error;
  return {
    next: () => Promise.reject(reason),
    return: () => Promise.resolve({ done: true, value: undefined }),
    throw: (err?: unknown) => Promise.reject(err),
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

/** Distinct valid subscription documents kept parsed (the oldest is forgotten first). */
const DOCUMENT_CACHE_SIZE = 500;

const REFUSALS = {
  // Credentials were sent, but not as `Bearer <token>`.
  missing: 'Unauthorized: a valid access token is required ("Bearer <token>")',
  invalid: 'Unauthorized: a valid access token is required',
  expired: 'Unauthorized: token expired',
  revoked: 'Unauthorized: session ended',
} as const;

/**
 * graphql-ws on the same path as HTTP. A `connection_init` with credentials (`authorization` in
 * any letter case, at the top level or in `headers`: see ws-credentials.ts) must carry a live
 * access token, or the connection is closed with 4401. One without credentials is acknowledged,
 * as Apollo Sandbox needs (it opens a bare connection before the one with its headers): public
 * operations run there, and everything that needs a viewer, subscriptions included, fails with
 * UNAUTHENTICATED on that operation while the connection stays open. Such connections are few
 * per address and closed when idle.
 */
export function attachWebSocketServer(deps: WebSocketDeps): {
  dispose(): Promise<void>;
  /** Open connections (signed in or not yet) and operations in progress over them (GET /metrics). */
  stats(): { connections: number; subscriptions: number };
} {
  const wss = new WebSocketServer({
    server: deps.server,
    path: '/graphql',
    // A frame larger than an HTTP body may be is refused (close code 1009) before it is kept:
    // by default ws buffers up to 100 MiB per frame, before anyone has authenticated.
    maxPayload: deps.maxFrameBytes,
    verifyClient: ({ req }, done) => {
      const json = { 'Content-Type': 'application/json; charset=utf-8' };
      const origin = req.headers.origin;
      if (origin !== undefined && !deps.origins.allows(origin)) return done(false, 403, JSON.stringify(deps.origins.refusal(origin)), json);
      // Counted before anyone authenticates: one address cannot hold the server's sockets.
      if ((byIp.get(deps.clientIp(req)) ?? 0) >= deps.caps.maxConnectionsPerIp) {
        const body = {
          error: `too many WebSocket connections from this address (WS_MAX_CONNECTIONS_PER_IP=${deps.caps.maxConnectionsPerIp})`,
        };
        return done(false, 429, JSON.stringify(body), json);
      }
      done(true);
    },
  });
  const byIp = new Map<string, number>();
  wss.on('connection', (socket, request) => {
    const ip = deps.clientIp(request);
    byIp.set(ip, (byIp.get(ip) ?? 0) + 1);
    socket.once('close', () => {
      const left = (byIp.get(ip) ?? 1) - 1;
      if (left > 0) byIp.set(ip, left);
      else byIp.delete(ip);
    });
  });
  // Each user's connections (their graphql-ws contexts), for the per-user caps.
  const byUser = new Map<string, Set<{ subscriptions: Record<string, unknown> }>>();
  // Connections without credentials, by address.
  const anonymousByIp = new Map<string, Set<{ subscriptions: Record<string, unknown> }>>();
  const documents = new Map<string, DocumentNode>();
  // Open connections by session, so a logout (on any replica) closes them at once.
  const bySession = new Map<string, Set<WebSocket>>();
  const revocations = deps.events.subscribe(Topic.SESSION_REVOKED, 'all');
  void (async () => {
    for await (const { sessionIds } of revocations) {
      for (const id of sessionIds) {
        for (const socket of bySession.get(id) ?? []) socket.close(CloseCode.Unauthorized, 'Unauthorized: session ended');
      }
    }
  })().catch((err: Error) => deps.log.warn({ err: err.message }, 'session revocation listener stopped'));
  /**
   * A connection without credentials: acknowledged unless its address holds as many already,
   * and closed once it has had no operation in progress for WS_ANONYMOUS_IDLE_MS.
   */
  function acceptAnonymous(ctx: { extra: Extra; subscriptions: Record<string, unknown> }): boolean {
    const socket = ctx.extra.socket;
    const ip = deps.clientIp(ctx.extra.request);
    const mine = anonymousByIp.get(ip) ?? new Set();
    if (mine.size >= deps.caps.maxAnonymousConnectionsPerIp) {
      const limit = deps.caps.maxAnonymousConnectionsPerIp;
      socket.close(
        TOO_MANY_CONNECTIONS,
        `Too many connections without credentials from this address (WS_MAX_ANONYMOUS_CONNECTIONS_PER_IP=${limit})`,
      );
      return false;
    }
    mine.add(ctx);
    anonymousByIp.set(ip, mine);
    const anonymous = { lastActivity: Date.now() };
    ctx.extra.anonymous = anonymous;
    const idleMs = deps.caps.anonymousIdleMs;
    let idle: NodeJS.Timeout;
    const check = () => {
      const quietFor = Date.now() - anonymous.lastActivity;
      if (Object.keys(ctx.subscriptions).length === 0 && quietFor >= idleMs) {
        socket.close(1000, `Idle connection without credentials closed (WS_ANONYMOUS_IDLE_MS=${idleMs})`);
        return;
      }
      idle = setTimeout(check, Object.keys(ctx.subscriptions).length > 0 ? idleMs : idleMs - quietFor);
      idle.unref();
    };
    idle = setTimeout(check, idleMs);
    idle.unref();
    socket.once('close', () => {
      clearTimeout(idle);
      mine.delete(ctx);
      if (mine.size === 0) anonymousByIp.delete(ip);
    });
    return true;
  }
  const cleanup = useServer<Record<string, unknown> | undefined, Extra>(
    {
      schema: deps.schema,
      connectionInitWaitTimeout: deps.caps.initTimeoutMs,
      context: async (ctx) => {
        const viewer = ctx.extra.viewer ?? null;
        const ua = ctx.extra.request.headers['user-agent'];
        return deps.buildContext(
          randomUUID(),
          { ip: deps.clientIp(ctx.extra.request), userAgent: typeof ua === 'string' ? ua : undefined },
          viewer,
        );
      },
      onConnect: async (ctx) => {
        const credentials = credentialsOf(ctx.connectionParams);
        if (credentials.kind === 'invalid') {
          ctx.extra.socket.close(CloseCode.Unauthorized, `Unauthorized: ${credentials.reason}`);
          return false;
        }
        if (credentials.kind === 'none') return acceptAnonymous(ctx);
        const viewer = await deps.authenticate(deps.fork(), credentials.authorization);
        if (!viewer) {
          const why = await deps.refusal(deps.fork(), credentials.authorization);
          ctx.extra.socket.close(CloseCode.Unauthorized, REFUSALS[why]);
          return false;
        }
        const socket = ctx.extra.socket;
        const mine = byUser.get(viewer.userId) ?? new Set();
        if (mine.size >= deps.caps.maxConnectionsPerUser) {
          socket.close(
            TOO_MANY_CONNECTIONS,
            `Too many connections for this user (WS_MAX_CONNECTIONS_PER_USER=${deps.caps.maxConnectionsPerUser})`,
          );
          return false;
        }
        mine.add(ctx);
        byUser.set(viewer.userId, mine);
        ctx.extra.viewer = viewer;
        const sockets = bySession.get(viewer.sessionId) ?? new Set<WebSocket>();
        sockets.add(socket);
        bySession.set(viewer.sessionId, sockets);
        // The connection lives no longer than its access token.
        const expiry = setTimeout(
          () => socket.close(CloseCode.Unauthorized, 'Unauthorized: token expired'),
          Math.max(0, viewer.expiresAt.getTime() - Date.now()),
        );
        expiry.unref();
        socket.once('close', () => {
          mine.delete(ctx);
          if (mine.size === 0) byUser.delete(viewer.userId);
          clearTimeout(expiry);
          sockets.delete(socket);
          if (sockets.size === 0) bySession.delete(viewer.sessionId);
        });
        return true;
      },
      // The token is checked again for every operation: logging out or expiry ends the connection.
      onSubscribe: async (ctx, _id, payload) => {
        const viewer = ctx.extra.viewer;
        const anonymous = ctx.extra.anonymous;
        // The operation being started is already counted in its connection's subscriptions.
        let running = 0;
        if (anonymous) {
          anonymous.lastActivity = Date.now();
          running = Object.keys(ctx.subscriptions).length;
        } else {
          const expired = !viewer || viewer.expiresAt.getTime() <= Date.now();
          if (expired || (await deps.isSessionRevoked(deps.fork(), viewer.sessionId))) {
            ctx.extra.socket.close(CloseCode.Unauthorized, expired ? 'Unauthorized: token expired' : 'Unauthorized: session ended');
            return [new GraphQLError('Sign in again', { extensions: { code: 'UNAUTHENTICATED' } })];
          }
          for (const c of byUser.get(viewer.userId) ?? []) running += Object.keys(c.subscriptions).length;
        }
        if (running > deps.caps.maxSubscriptionsPerUser) {
          const limit = deps.caps.maxSubscriptionsPerUser;
          const whose = anonymous ? 'this connection' : 'this user';
          return [
            new GraphQLError(`Too many operations in progress for ${whose} (WS_MAX_SUBSCRIPTIONS_PER_USER=${limit}); complete one first`, {
              extensions: { code: ErrorCode.RATE_LIMITED, limit },
            }),
          ];
        }
        const tooLarge = documentTooLarge(payload.query, deps.maxDocumentBytes);
        if (tooLarge) return [new GraphQLError(tooLarge.message, { extensions: tooLarge.extensions })];
        // graphql-ws would parse and validate with no limits (and a syntax error would close the socket).
        // A valid document is kept and shared: thousands of clients send the same few queries,
        // and each parsed copy would live as long as its subscription.
        let document = documents.get(payload.query);
        if (!document) {
          try {
            document = parse(payload.query, deps.parseOptions);
          } catch (err) {
            if (err instanceof GraphQLError) return [withCode(err, 'GRAPHQL_PARSE_FAILED')];
            throw err;
          }
          const invalid = validate(deps.schema, document, [...specifiedRules, ...deps.validationRules]);
          if (invalid.length > 0) {
            return invalid.map((e) => withCode(deps.hideSchemaDetails ? withoutSuggestions(e) : e, 'GRAPHQL_VALIDATION_FAILED'));
          }
          if (documents.size >= DOCUMENT_CACHE_SIZE) documents.delete(documents.keys().next().value!);
          documents.set(payload.query, document);
        }
        return { schema: deps.schema, document, operationName: payload.operationName, variableValues: payload.variables };
      },
      // A subscription refused when it starts (a wallet that is not the viewer's, a malformed
      // id) has no stream: graphql-ws would send its errors as a `next` and complete, which a
      // client takes for a quiet stream. It gets the protocol's `error` message instead.
      onOperation: (_ctx, _id, _payload, args, result) => {
        if (Symbol.asyncIterator in result) return undefined;
        const errors = (result as ExecutionResult).errors;
        if (!errors?.length || getOperationAST(args.document, args.operationName)?.operation !== 'subscription') return undefined;
        // Variables that cannot be coerced (no path, no code) are the client's fault, as in onNext.
        const [first] = errors;
        return refusedStream(!first.path && !first.extensions.code ? withCode(first, 'BAD_USER_INPUT') : first);
      },
      onError: (_ctx, _id, _payload, errors) => errors.map((e) => deps.formatError(e.toJSON(), e)),
      // Results go through the same masking as HTTP responses. An error without a path comes
      // from the request itself (variables that cannot be coerced): the client's fault, as over HTTP.
      onNext: (_ctx, _id, _payload, _args, result) =>
        'errors' in result && result.errors
          ? {
              ...result,
              errors: result.errors.map((e) => {
                const error = e instanceof GraphQLError && !e.path && !e.extensions.code ? withCode(e, 'BAD_USER_INPUT') : e;
                return deps.formatError(error instanceof GraphQLError ? error.toJSON() : error, error);
              }),
            }
          : undefined,
    },
    wss,
  );
  return {
    stats: () => {
      let subscriptions = 0;
      for (const contexts of [...byUser.values(), ...anonymousByIp.values()]) {
        for (const c of contexts) subscriptions += Object.keys(c.subscriptions).length;
      }
      return { connections: wss.clients.size, subscriptions };
    },
    dispose: async () => {
      // Not awaited: with Redis away the unsubscribe would wait for it (closing the bus ends it).
      void revocations.return?.()?.catch(() => undefined);
      await cleanup.dispose();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
