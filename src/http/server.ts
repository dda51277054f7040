import { randomUUID } from 'node:crypto';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginCacheControl } from '@apollo/server/plugin/cacheControl';
import { MemoryPersistedQueries, RedisPersistedQueries } from '../cache/persisted-queries.js';
import { CacheGenerations, RedisKeyValueCache, privateForViewers, responseCache } from '../cache/response-cache.js';
import { fastifyApolloDrainPlugin, fastifyApolloHandler } from '@as-integrations/fastify';
import cors from '@fastify/cors';
import formbody from '@fastify/formbody';
import helmet from '@fastify/helmet';
import type { MikroORM } from '@mikro-orm/postgresql';
import DataLoader from 'dataloader';
import type { IncomingMessage } from 'node:http';
import proxyAddr from '@fastify/proxy-addr';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { NoSchemaIntrospectionCustomRule, type GraphQLSchema } from 'graphql';
import type { RedisHandle } from '../cache/redis.js';
import type { Config } from '../config/config.js';
import type { ClientInfo, Viewer } from '../domain/auth/auth.service.js';
import type { GraphQLContext } from '../schema/context.js';
import { formatError, domainErrorOf, isExpectedError } from '../schema/errors.js';
import type { Services } from '../schema/build-schema.js';
import { documentTooLarge, limitRules } from './graphql-limits.js';
import { registerHealthRoutes, type Readiness } from './health.js';
import { knexPoolStats, Metrics } from './metrics.js';
import { CORS_ALLOWED_HEADERS, CORS_EXPOSED_HEADERS, originRule } from './origins.js';
import { registerGraphiQL } from './graphiql.js';
import { registerWebApp } from './web-app.js';
import { registerDevMailbox } from './dev-mailbox.js';
import { sandboxLandingPage } from './sandbox-landing.js';
import { attachWebSocketServer } from './websocket.js';
import { loggerOptions } from './logger.js';
import { requestLogFields } from '../telemetry/request-log-fields.js';
import { tagRequestSpan, tagRequestUser, telemetryHooks } from '../telemetry/hooks.js';

export interface HttpServer {
  fastify: FastifyInstance;
  apollo: ApolloServer<GraphQLContext>;
  /** Stops accepting, lets requests in flight finish, closes WebSockets. */
  close(): Promise<void>;
}

export interface HttpServerDeps {
  config: Config;
  orm: MikroORM;
  redis: RedisHandle;
  schema: GraphQLSchema;
  services: Services;
  readiness: Readiness;
  logger?: FastifyBaseLogger;
  generations: CacheGenerations;
  /** GET /metrics (app/services.ts makes it, so provider calls count in it too); a new one if not given. */
  metrics?: Metrics;
}

const REQUEST_ID = /^[\w.:-]{1,128}$/;
const CACHE_MAX_AGE_SECONDS = 30;

export { loggerOptions, REDACTED_PATHS } from './logger.js';

export function createLoaders(em: GraphQLContext['em'], services: Services): GraphQLContext['loaders'] {
  return {
    user: new DataLoader((ids: readonly string[]) => services.users.findByIds(em, ids)),
    account: new DataLoader(async (ids: readonly string[]) => {
      const byId = new Map((await services.ledger.findAccounts(em, ids)).map((a) => [a.id, a]));
      return ids.map((id) => byId.get(id) ?? null);
    }),
    card: new DataLoader(async (ids: readonly string[]) => {
      const byId = new Map((await services.cards.repo.findByIds(em, ids)).map((c) => [c.id, c]));
      return ids.map((id) => byId.get(id) ?? null);
    }),
  };
}

export async function buildHttpServer(deps: HttpServerDeps): Promise<HttpServer> {
  const { config, orm, services, schema } = deps;
  const fastify = Fastify({
    ...(deps.logger ? { loggerInstance: deps.logger } : { logger: loggerOptions(config) }),
    // The same trust function clientIpOf uses, so WebSocket upgrades see the address request.ip does.
    trustProxy: proxyTrust(config.http.trustProxy),
    bodyLimit: config.http.bodyLimitBytes,
    requestIdHeader: false,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
  });
  fastify.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
    tagRequestSpan(request); // tracing on: the HTTP span gets the request id (no-op otherwise)
  });
  // Outside GraphQL too (checkout pages, webhooks): a bug reaches the client masked, never
  // with its message (Fastify's default puts SQL there); the log keeps it with the request id.
  fastify.setErrorHandler((err: { statusCode?: number }, request, reply) => {
    if (err.statusCode !== undefined && err.statusCode < 500) return reply.send(err);
    request.log.error({ err, requestId: request.id }, 'unexpected error while handling a request');
    return reply
      .code(500)
      .send({ statusCode: 500, error: 'Internal Server Error', message: 'Internal server error', requestId: request.id });
  });
  // Once stopping, answers to requests in flight close their connection: a keep-alive socket
  // would otherwise hold fastify.close() open until the drain plugin's 10 s timeout.
  let closing = false;
  fastify.addHook('onSend', async (_request, reply) => {
    if (closing) reply.header('connection', 'close');
  });

  await fastify.register(helmet, {
    // Apollo Sandbox (development only) loads its own scripts and frames.
    contentSecurityPolicy: config.isProduction ? undefined : false,
    crossOriginEmbedderPolicy: false,
  });
  const origins = originRule(config);
  // A page on a refused origin learns what to configure, and its request never reaches Apollo
  // (a simple text/plain POST would otherwise execute before the browser hides the answer).
  fastify.addHook('onRequest', async (request, reply) => {
    const origin = request.headers.origin;
    if (origin === undefined || request.routeOptions.url !== '/graphql' || origins.allows(origin)) return;
    return reply.code(403).send(origins.refusal(origin));
  });
  // Allowed origins' preflights are answered here, before Apollo's CSRF prevention sees them;
  // requests without Origin (curl, servers, apps) keep that prevention.
  await fastify.register(cors, {
    origin: (origin, done) => done(null, origin !== undefined && origins.allows(origin)),
    methods: ['GET', 'POST', 'OPTIONS'],
    allowedHeaders: CORS_ALLOWED_HEADERS,
    exposedHeaders: CORS_EXPOSED_HEADERS,
    credentials: true,
    maxAge: 600,
  });
  await fastify.register(formbody);

  const metrics = deps.metrics ?? new Metrics();
  metrics.watchPool(() => knexPoolStats(orm));
  // Whole requests, as a client sees them minus the network: GraphQL's own histogram starts
  // only after authentication and body parsing.
  fastify.addHook('onResponse', async (request, reply) => {
    metrics.observeHttp(request.routeOptions.url, request.method, reply.statusCode, reply.elapsedTime / 1000);
  });
  registerHealthRoutes(fastify, { orm, redis: deps.redis, readiness: deps.readiness, metrics, access: config.http.metrics });
  if (!config.isProduction) registerGraphiQL(fastify);
  if (!config.isProduction && !config.mail.smtpUrl) registerDevMailbox(fastify, orm);
  registerWebApp(fastify, config.http.webAppDir);

  const authenticate = (em: GraphQLContext['em'], authorization: string | undefined): Promise<Viewer | null> =>
    services.auth.authenticate(em, authorization);

  /**
   * The EntityManager, loaders and logger are made on first use: a subscription holds its
   * context for as long as it is open, and an idle one never needs them (B10).
   */
  const buildContext = async (
    request: { id: string; log: () => FastifyBaseLogger },
    client: ClientInfo,
    viewer: (em: () => GraphQLContext['em']) => Promise<Viewer | null>,
  ): Promise<GraphQLContext> => {
    let em: GraphQLContext['em'] | undefined;
    let loaders: GraphQLContext['loaders'] | undefined;
    let log: FastifyBaseLogger | undefined;
    const context: GraphQLContext = {
      get em() {
        return (em ??= orm.em.fork());
      },
      get loaders() {
        return (loaders ??= createLoaders(context.em, services));
      },
      get log() {
        return (log ??= request.log());
      },
      viewer: null,
      requestId: request.id,
      client,
      live: services.live,
    };
    context.viewer = await viewer(() => context.em);
    return context;
  };

  const rules = limitRules(config.graphql);
  const apollo = new ApolloServer<GraphQLContext>({
    schema,
    formatError,
    // main.ts owns SIGTERM/SIGINT and stops everything in order.
    stopOnTerminationSignals: false,
    csrfPrevention: true,
    // Responses and persisted queries: Redis when configured (shared by replicas), else in memory.
    cache: deps.redis.mode === 'redis' ? new RedisKeyValueCache(deps.redis.client, 'apollo:') : 'bounded',
    // Registered only once a document has passed every limit (Apollo stores it after validation),
    // and in a store with a byte budget: nobody can fill Redis with padded documents.
    persistedQueries: {
      cache:
        deps.redis.mode === 'redis'
          ? new RedisPersistedQueries(deps.redis.client, config.graphql.apqStoreMaxBytes)
          : new MemoryPersistedQueries(config.graphql.apqStoreMaxBytes),
      ttl: null,
    },
    allowBatchedHttpRequests: false,
    introspection: !config.isProduction,
    // No "Did you mean …?" in production: with introspection off, suggestions would spell the schema out.
    hideSchemaDetailsFromClientErrors: config.isProduction,
    includeStacktraceInErrorResponses: false,
    parseOptions: { maxTokens: config.graphql.maxTokens },
    validationRules: rules,
    plugins: [
      fastifyApolloDrainPlugin(fastify),
      config.isProduction ? ApolloServerPluginLandingPageDisabled() : sandboxLandingPage(),
      metrics.plugin(),
      requestLogFields(),
      ...(telemetryHooks() ? [telemetryHooks()!.apolloPlugin()] : []),
      logUnexpectedErrors(),
      // Answers may be cached for 30 s unless a field says less; a viewer's are private to them.
      ApolloServerPluginCacheControl({ defaultMaxAge: CACHE_MAX_AGE_SECONDS }),
      privateForViewers(),
      // CACHE_ENABLED=false: every request executes (the Cache-Control hints are still sent).
      ...(config.cache.enabled ? [responseCache(deps.generations, (hit) => metrics.observeCacheLookup(hit))] : []),
    ],
  });

  const ws = attachWebSocketServer({
    server: fastify.server,
    schema,
    log: fastify.log,
    authenticate: (em, authorization) => authenticate(em, authorization),
    isSessionRevoked: (em, sessionId) => services.auth.isSessionRevoked(em, sessionId),
    refusal: (em, authorization) => services.auth.refusal(em, authorization),
    buildContext: (id, client, viewer) => buildContext({ id, log: () => fastify.log.child({ reqId: id }) }, client, async () => viewer),
    fork: () => orm.em.fork(),
    formatError,
    parseOptions: { maxTokens: config.graphql.maxTokens },
    events: services.events,
    origins,
    validationRules: [...rules, ...(config.isProduction ? [NoSchemaIntrospectionCustomRule] : [])],
    hideSchemaDetails: config.isProduction,
    maxFrameBytes: config.http.bodyLimitBytes,
    maxDocumentBytes: config.graphql.maxDocumentBytes,
    caps: config.websocket,
    clientIp: (request) => clientIpOf(request, config.http.trustProxy),
  });
  metrics.watchWebSockets(() => ws.stats());
  apollo.addPlugin({
    async serverWillStart() {
      return { drainServer: () => ws.dispose() };
    },
  });

  await apollo.start();

  fastify.route({
    url: '/graphql',
    method: ['GET', 'POST', 'OPTIONS'],
    // The document's size is checked before anything parses it: comments and whitespace count,
    // which the parser's token limit does not see.
    preHandler: async (request: FastifyRequest, reply: FastifyReply) => {
      const params = (request.method === 'GET' ? request.query : request.body) as { query?: unknown } | undefined;
      const refusal = documentTooLarge(params?.query, config.graphql.maxDocumentBytes);
      if (!refusal) return;
      await reply
        .code(400)
        .header('content-type', 'application/json; charset=utf-8')
        .send({ errors: [refusal] });
      return reply;
    },
    handler: fastifyApolloHandler(apollo, {
      context: async (request: FastifyRequest) =>
        buildContext({ id: request.id, log: () => request.log }, clientInfo(request), async (em) => {
          const viewer = await authenticate(em(), request.headers.authorization);
          tagRequestUser(request, viewer?.userId);
          return viewer;
        }),
    }),
  });

  return {
    fastify,
    apollo,
    close: () => {
      closing = true;
      return apollo.stop();
    },
  };
}

type ProxyTrust = (address: string, hop: number) => boolean;
const trustEveryone: ProxyTrust = () => true;
const proxyTrusts = new WeakMap<string[], ProxyTrust>();

/**
 * TRUST_PROXY as Fastify's `trustProxy` option: `false`, or the function deciding whether an
 * address is a proxy whose X-Forwarded-For is believed (`true`: every address; a list: the
 * addresses and CIDRs named, compiled by @fastify/proxy-addr as Fastify compiles them). One
 * function per setting, shared by Fastify and clientIpOf.
 */
function proxyTrust(trustProxy: Config['http']['trustProxy']): false | ProxyTrust {
  if (trustProxy === true) return trustEveryone;
  if (trustProxy === false || trustProxy.length === 0) return false;
  let trust = proxyTrusts.get(trustProxy);
  if (!trust) {
    trust = proxyAddr.compile(trustProxy);
    proxyTrusts.set(trustProxy, trust);
  }
  return trust;
}

/**
 * The address of a raw request (a WebSocket upgrade), as Fastify gives `request.ip`: the socket's
 * address, or, while that address is a trusted proxy, the next address from the right of
 * X-Forwarded-For (@fastify/proxy-addr's rule, the one Fastify applies).
 */
export function clientIpOf(request: IncomingMessage, trustProxy: Config['http']['trustProxy']): string {
  const trust = proxyTrust(trustProxy);
  if (!trust) return request.socket.remoteAddress ?? 'unknown';
  const addresses = proxyAddr.all(request, trust);
  return addresses[addresses.length - 1] ?? 'unknown';
}

function clientInfo(request: FastifyRequest): ClientInfo {
  const ua = request.headers['user-agent'];
  return { ip: request.ip, userAgent: typeof ua === 'string' ? ua : undefined };
}

/** Bugs reach the client masked; the log keeps the real error and the request id. */
function logUnexpectedErrors(): ApolloServerPlugin<GraphQLContext> {
  return {
    async requestDidStart() {
      return {
        async didEncounterErrors({ errors, contextValue }) {
          for (const error of errors) {
            if (!isExpectedError(error)) {
              contextValue.log.error(
                { err: error.originalError ?? error, requestId: contextValue.requestId, path: error.path },
                'unexpected error while executing an operation',
              );
              continue;
            }
            // A refusal caused by something underneath (a provider down): the client sees the
            // code, the operator sees why.
            const refusal = domainErrorOf(error);
            if (refusal?.cause !== undefined) {
              contextValue.log.warn(
                { err: refusal.cause, code: refusal.code, requestId: contextValue.requestId, path: error.path },
                'refused because a dependency failed',
              );
            }
          }
        },
      };
    },
  };
}
