import type { ApolloServerPlugin } from '@apollo/server';
import { getOperationAST } from 'graphql';

// Not in src/http/logger.ts: main.ts loads that one before OpenTelemetry starts, and graphql-js
// must load after it to be instrumented.
/**
 * Each GraphQL request's log lines, Fastify's "request completed" among them, name the
 * operation (`operationName`, null when the document gave none) and the signed-in user
 * (`userId`, null when nobody is): the request's logger gets both once Apollo has the answer,
 * before Fastify logs the response.
 */
export function requestLogFields(): ApolloServerPlugin<{ log: object; viewer: { userId: string } | null }> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ contextValue, operationName, request, document }) {
          const log = contextValue.log as { setBindings?(bindings: Record<string, unknown>): void };
          // A document that failed validation has no resolved operation: its one named operation, if any.
          const named = operationName ?? request.operationName ?? (document && getOperationAST(document)?.name?.value);
          log.setBindings?.({
            operationName: named ?? null,
            userId: contextValue.viewer?.userId ?? null,
          });
        },
      };
    },
  };
}
