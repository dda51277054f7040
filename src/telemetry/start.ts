import { register } from 'node:module';
import type { IncomingMessage } from 'node:http';
import { trace } from '@opentelemetry/api';
import { GraphQLInstrumentation } from '@opentelemetry/instrumentation-graphql';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { IORedisInstrumentation } from '@opentelemetry/instrumentation-ioredis';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { createAddHookMessageChannel } from 'import-in-the-middle';
import { operationOnRequestSpan } from './apollo-spans.js';
import { installTelemetryHooks } from './hooks.js';
import { withoutLiterals } from './sql.js';

/** Probes and scrapes make no spans. */
const QUIET_PATHS = /^\/(healthz|readyz|metrics)(\?|$)/;

let sdk: NodeSDK | undefined;

/**
 * OpenTelemetry tracing, as the OTEL_* variables configure it (the SDK reads them: endpoint,
 * `OTEL_EXPORTER_OTLP_TRACES_PROTOCOL` http/protobuf (default) or http/json, headers,
 * `OTEL_SERVICE_NAME`, `OTEL_RESOURCE_ATTRIBUTES`, sampler, propagators). Loaded only by
 * bootstrap.ts, once it has decided tracing is wanted.
 *
 * Spans: HTTP server (and client) requests, GraphQL parse, validate and execute (the operation
 * named on the request's span too, apollo-spans.ts), PostgreSQL queries (pg, under knex), Redis commands (ioredis) and
 * `fetch` calls to providers (undici). Database and Redis work outside a request (the jobs) is
 * not traced (`requireParentSpan`). Traces only: metrics stay on GET /metrics, logs in pino.
 */
export async function startTelemetry(env: Record<string, string | undefined>): Promise<{ shutdown(): Promise<void> }> {
  // ESM modules (ioredis as the server imports it, node:http) are seen through
  // import-in-the-middle's loader hook; it wraps only the modules instrumentations ask for.
  const { registerOptions, waitForAllMessagesAcknowledged } = createAddHookMessageChannel();
  register('import-in-the-middle/hook.mjs', import.meta.url, registerOptions);

  const named = Boolean(env.OTEL_SERVICE_NAME?.trim()) || /(^|,)\s*service\.name\s*=/.test(env.OTEL_RESOURCE_ATTRIBUTES ?? '');
  sdk = new NodeSDK({
    ...(named ? {} : { serviceName: 'wallet-api' }),
    instrumentations: [
      new HttpInstrumentation({
        ignoreIncomingRequestHook: (request: IncomingMessage) => QUIET_PATHS.test(request.url ?? ''),
      }),
      // Parse, validate, execute; resolvers two levels deep, and only those that do something.
      new GraphQLInstrumentation({ mergeItems: true, ignoreTrivialResolveSpans: true, depth: 2 }),
      // Statements without their values (MikroORM writes them into the SQL): sql.ts.
      new PgInstrumentation({
        requireParentSpan: true,
        requestHook: (span, { query }) => {
          // The SDK's span shows what it holds: only the attributes set (old or new semconv) are replaced.
          const held = (span as unknown as { attributes?: Record<string, unknown> }).attributes ?? {};
          for (const key of ['db.query.text', 'db.statement']) {
            if (key in held) span.setAttribute(key, withoutLiterals(query.text));
          }
        },
      }),
      // The command only: Redis keys name sessions and users, and values hold cached answers.
      new IORedisInstrumentation({ requireParentSpan: true, dbStatementSerializer: (command) => command }),
      new UndiciInstrumentation(),
    ],
    // Metrics are Prometheus's (GET /metrics), logs pino's: the SDK exports traces only.
    metricReaders: [],
    logRecordProcessors: [],
  });
  sdk.start();
  await waitForAllMessagesAcknowledged();

  installTelemetryHooks({
    activeSpan: () => trace.getActiveSpan(),
    apolloPlugin: operationOnRequestSpan,
  });
  return { shutdown: () => sdk?.shutdown() ?? Promise.resolve() };
}
