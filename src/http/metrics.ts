import type { ApolloServerPlugin } from '@apollo/server';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import type { GraphQLContext } from '../schema/context.js';

/** Bounded label values: a client cannot grow the metrics without limit by naming operations. */
const MAX_OPERATION_NAMES = 200;
const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

export class Metrics {
  readonly registry = new Registry();
  private readonly requests: Counter<'operation' | 'type' | 'outcome'>;
  private readonly duration: Histogram<'operation' | 'type'>;
  private readonly http: Histogram<'route' | 'method' | 'status'>;
  private readonly seenOperations = new Set<string>();

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
  }

  /** One finished HTTP request (Fastify's onResponse); `route` is the route's pattern, never the raw URL. */
  observeHttp(route: string | undefined, method: string, status: number, seconds: number): void {
    this.http.observe({ route: route ?? 'unmatched', method, status: String(status) }, seconds);
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
