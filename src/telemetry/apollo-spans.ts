import type { ApolloServerPlugin } from '@apollo/server';
import { trace } from '@opentelemetry/api';

/**
 * The request's span (the HTTP server span, current while Apollo works on it) names the GraphQL
 * operation: `graphql.operation.name` and `graphql.operation.type`. The parse, validate and
 * execute spans themselves come from `@opentelemetry/instrumentation-graphql` (graphql-js is
 * loaded as CommonJS under Node, so it sees it); PostgreSQL, Redis and provider spans made while
 * a resolver runs are children of `graphql.execute`.
 */
export function operationOnRequestSpan(): ApolloServerPlugin<{ viewer: { userId: string } | null }> {
  return {
    async requestDidStart() {
      const span = trace.getActiveSpan();
      if (!span) return;
      return {
        async didResolveOperation({ operation, operationName }) {
          span.setAttribute('graphql.operation.type', operation?.operation ?? 'unknown');
          if (operationName) span.setAttribute('graphql.operation.name', operationName);
        },
      };
    },
  };
}
