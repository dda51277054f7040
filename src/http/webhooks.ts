import type { FastifyInstance, FastifyRequest } from 'fastify';

export interface WebhookRoute {
  /** Provider or issuer name: the route is POST /webhooks/{name}. */
  name: string;
  handle(
    rawBody: Buffer,
    request: FastifyRequest,
  ): Promise<{ status: number; headers?: Record<string, string>; body: unknown }>;
}

/**
 * POST /webhooks/{name} for the configured payment provider and card issuer. Bodies are kept
 * as raw bytes, since signatures are computed over exactly what was sent.
 */
export async function registerWebhookRoutes(fastify: FastifyInstance, routes: WebhookRoute[]): Promise<void> {
  await fastify.register(async (scope) => {
    // Encapsulated: only these routes read bodies as raw bytes.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: 1024 * 1024 }, (_req, body, done) => done(null, body));
    for (const route of routes) {
      scope.post(`/webhooks/${route.name}`, async (request, reply) => {
        const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
        const result = await route.handle(body, request);
        reply.code(result.status);
        if (result.headers) reply.headers(result.headers);
        return result.body;
      });
    }
  });
}
