import type { ApolloServerPlugin } from '@apollo/server';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import type { GraphQLContext } from '../schema/context.js';

/** Bounded label values: a client cannot grow the metrics without limit by naming operations. */
const MAX_OPERATION_NAMES = 200;

export class Metrics {
  readonly registry = new Registry();
  private readonly requests: Counter<'operation' | 'type' | 'outcome'>;
  private readonly duration: Histogram<'operation' | 'type'>;
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
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [this.registry],
    });
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
