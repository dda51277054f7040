import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError, getNamedType, isInputObjectType, type GraphQLField } from 'graphql';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { GraphQLContext } from '../schema/context.js';
import { domainErrorOf } from '../schema/errors.js';

/** Bounded label values: a client cannot grow the metrics without limit by naming operations. */
const MAX_OPERATION_NAMES = 200;
const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
/** Provider calls cross the internet: their latency reaches the call timeout (PROVIDER_TIMEOUT_MS, 10 s). */
const PROVIDER_BUCKETS = [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
/** An error code as a label: ours are UPPER_SNAKE (a bounded set); anything else is one value. */
const CODE = /^[A-Z][A-Z0-9_]{0,47}$/;

/** What the database pool gauge reads (knex's tarn pool). */
export interface PoolStats {
  used: number;
  free: number;
  pending: number;
}

/** How a provider call ended: `refused` a definite no (4xx), `unavailable` an unknown outcome (timeout, 5xx). */
export type ProviderOutcome = 'ok' | 'refused' | 'unavailable' | 'error';

export class Metrics {
  readonly registry = new Registry();
  private readonly requests: Counter<'operation' | 'type' | 'outcome'>;
  private readonly duration: Histogram<'operation' | 'type'>;
  private readonly http: Histogram<'route' | 'method' | 'status'>;
  private readonly seenOperations = new Set<string>();
  private readonly mutations: Counter<'mutation' | 'outcome'>;
  private readonly moneyMovements: Counter<'type' | 'outcome'>;
  private readonly providerCalls: Counter<'provider' | 'operation' | 'outcome'>;
  private readonly providerDuration: Histogram<'provider' | 'operation' | 'outcome'>;
  private readonly webhooks: Counter<'provider' | 'status'>;
  private readonly cacheLookups: Counter<'result'>;
  /** Readers of state kept elsewhere (WebSocket server, database pool), asked at scrape time. */
  private webSocketStats?: () => { connections: number; subscriptions: number };
  private poolStats?: () => PoolStats | undefined;
  /** Mutation fields that move money: those taking an idempotencyKey (DESIGN rule 6). */
  private readonly moneyFields = new Map<string, boolean>();

  constructor() {
    collectDefaultMetrics({ register: this.registry });
    this.requests = new Counter({
      name: 'graphql_requests_total',
      help: 'GraphQL operations by operation name, type and outcome',
      labelNames: ['operation', 'type', 'outcome'],
      registers: [this.registry],
    });
    this.duration = new Histogram({
      name: 'graphql_request_duration_seconds',
      help: 'GraphQL operation latency by operation name and type',
      labelNames: ['operation', 'type'],
      buckets: BUCKETS,
      registers: [this.registry],
    });
    this.http = new Histogram({
      name: 'http_request_duration_seconds',
      help: 'Whole HTTP requests, from their first byte to the response sent: authentication and the GraphQL operation included',
      labelNames: ['route', 'method', 'status'],
      buckets: BUCKETS,
      registers: [this.registry],
    });
    this.mutations = new Counter({
      name: 'graphql_mutations_total',
      help: 'Mutation results by mutation field and outcome (ok, or the error code answered)',
      labelNames: ['mutation', 'outcome'],
      registers: [this.registry],
    });
    this.moneyMovements = new Counter({
      name: 'money_movements_total',
      help: 'Money-moving mutations (those taking an idempotencyKey: deposit, withdraw, transfer, fundCard, ...) by type (the field) and outcome (ok, or the error code answered)',
      labelNames: ['type', 'outcome'],
      registers: [this.registry],
    });
    this.providerCalls = new Counter({
      name: 'provider_calls_total',
      help: 'Calls to payment providers and card issuers by provider, operation and outcome (ok, refused, unavailable, error)',
      labelNames: ['provider', 'operation', 'outcome'],
      registers: [this.registry],
    });
    this.providerDuration = new Histogram({
      name: 'provider_call_duration_seconds',
      help: 'Latency of calls to payment providers and card issuers by provider, operation and outcome',
      labelNames: ['provider', 'operation', 'outcome'],
      buckets: PROVIDER_BUCKETS,
      registers: [this.registry],
    });
    this.webhooks = new Counter({
      name: 'webhooks_total',
      help: 'Provider and issuer webhooks received, by provider and the HTTP status answered',
      labelNames: ['provider', 'status'],
      registers: [this.registry],
    });
    this.cacheLookups = new Counter({
      name: 'response_cache_lookups_total',
      help: 'GraphQL response cache look-ups (queries the cache may answer) by result: hit or miss',
      labelNames: ['result'],
      registers: [this.registry],
    });
    // Read at scrape time from what the WebSocket server and the pool keep.
    const connections: Gauge = new Gauge({
      name: 'websocket_connections',
      help: 'Open WebSocket connections (graphql-ws), signed in or not yet',
      registers: [this.registry],
      collect: () => connections.set(this.webSocketStats?.().connections ?? 0),
    });
    const subscriptions: Gauge = new Gauge({
      name: 'websocket_subscriptions',
      help: 'Operations in progress over WebSocket connections (subscriptions)',
      registers: [this.registry],
      collect: () => subscriptions.set(this.webSocketStats?.().subscriptions ?? 0),
    });
    const pool: Gauge<'state'> = new Gauge({
      name: 'db_pool_connections',
      help: 'The PostgreSQL connection pool (knex): connections in use, idle, and requests waiting for one',
      labelNames: ['state'],
      registers: [this.registry],
      collect: () => {
        const stats = this.poolStats?.();
        pool.set({ state: 'used' }, stats?.used ?? 0);
        pool.set({ state: 'free' }, stats?.free ?? 0);
        pool.set({ state: 'pending' }, stats?.pending ?? 0);
      },
    });
  }

  /** The WebSocket server's numbers, read at each scrape. */
  watchWebSockets(stats: () => { connections: number; subscriptions: number }): void {
    this.webSocketStats = stats;
  }

  /** The database pool's numbers, read at each scrape (undefined: no pool yet). */
  watchPool(stats: () => PoolStats | undefined): void {
    this.poolStats = stats;
  }

  /** One response-cache look-up (a query the cache was asked to answer). */
  observeCacheLookup(hit: boolean): void {
    this.cacheLookups.inc({ result: hit ? 'hit' : 'miss' });
  }

  /** One webhook answered: the provider (or issuer) it is for and the status it got. */
  observeWebhook(provider: string, status: number): void {
    this.webhooks.inc({ provider, status: String(status) });
  }

  /** One finished call to a provider or issuer. */
  observeProviderCall(provider: string, operation: string, outcome: ProviderOutcome, seconds: number): void {
    this.providerCalls.inc({ provider, operation, outcome });
    this.providerDuration.observe({ provider, operation, outcome }, seconds);
  }

  /** One finished HTTP request (Fastify's onResponse); `route` is the route's pattern, never the raw URL. */
  observeHttp(route: string | undefined, method: string, status: number, seconds: number): void {
    this.http.observe({ route: route ?? 'unmatched', method, status: String(status) }, seconds);
  }

  /** One mutation field resolved: `ok`, or the code its error reaches the client with. */
  private observeMutation(field: GraphQLField<unknown, unknown> | undefined, error: Error | null): void {
    if (!field) return;
    let outcome = 'ok';
    if (error) {
      const code = domainErrorOf(error)?.code ?? (error instanceof GraphQLError ? error.extensions.code : undefined);
      outcome = typeof code === 'string' && CODE.test(code) ? code : 'INTERNAL_SERVER_ERROR';
    }
    this.mutations.inc({ mutation: field.name, outcome });
    let money = this.moneyFields.get(field.name);
    if (money === undefined) {
      money = field.args.some((arg) => {
        const type = getNamedType(arg.type);
        return arg.name === 'idempotencyKey' || (isInputObjectType(type) && 'idempotencyKey' in type.getFields());
      });
      this.moneyFields.set(field.name, money);
    }
    if (money) this.moneyMovements.inc({ type: field.name, outcome });
  }

  private label(name: string | null | undefined): string {
    if (!name) return 'anonymous';
    if (this.seenOperations.has(name)) return name;
    if (this.seenOperations.size >= MAX_OPERATION_NAMES || !/^[_A-Za-z][_0-9A-Za-z]{0,63}$/.test(name)) return 'other';
    this.seenOperations.add(name);
    return name;
  }

  plugin(): ApolloServerPlugin<GraphQLContext> {
    return {
      requestDidStart: async () => {
        const started = process.hrtime.bigint();
        return {
          // Mutations only: queries pay nothing per field. No operation (an operationName the
          // document lacks): graphql-js answers that BAD_REQUEST, nothing to count.
          executionDidStart: async ({ operation }) => {
            if (operation?.operation !== 'mutation') return;
            return {
              willResolveField: ({ info }) => {
                if (info.path.prev !== undefined) return;
                const field = info.parentType.getFields()[info.fieldName];
                return (error) => this.observeMutation(field, error);
              },
            };
          },
          willSendResponse: async ({ operationName, operation, errors, response }) => {
            const operationLabel = this.label(operationName);
            const type = operation?.operation ?? 'unknown';
            const failed = (errors?.length ?? 0) > 0 || (response.body.kind === 'single' && !!response.body.singleResult.errors);
            this.requests.inc({ operation: operationLabel, type, outcome: failed ? 'error' : 'ok' });
            this.duration.observe({ operation: operationLabel, type }, Number(process.hrtime.bigint() - started) / 1e9);
          },
        };
      },
    };
  }
}

/** The pool knex keeps (tarn), as far as it has been created. */
interface TarnPool {
  numUsed(): number;
  numFree(): number;
  numPendingAcquires(): number;
}

/** The database pool's use, read from MikroORM's knex (undefined before it exists). */
export function knexPoolStats(orm: MikroORM): PoolStats | undefined {
  let pool: TarnPool | undefined;
  try {
    pool = (orm.em.getConnection().getKnex() as unknown as { client?: { pool?: TarnPool } }).client?.pool;
  } catch {
    return undefined; // not connected yet: a scrape never fails for it
  }
  if (!pool) return undefined;
  return { used: pool.numUsed(), free: pool.numFree(), pending: pool.numPendingAcquires() };
}
