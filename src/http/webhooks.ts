import type { MikroORM } from '@mikro-orm/postgresql';
import type { FastifyInstance } from 'fastify';
import type { Services } from '../schema/build-schema.js';
import type { PaymentProvider } from '../providers/payment-provider.js';

/**
 * POST /webhooks/{provider}: the raw body is kept as bytes, since signatures are computed
 * over exactly what was sent. Only the configured provider's path exists.
 */
export async function registerWebhookRoutes(
  fastify: FastifyInstance,
  deps: { orm: MikroORM; services: Services; provider: PaymentProvider },
): Promise<void> {
  await fastify.register(async (scope) => {
    // Encapsulated: only these routes read bodies as raw bytes.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: 1024 * 1024 }, (_req, body, done) => done(null, body));
    scope.post(`/webhooks/${deps.provider.name}`, async (request, reply) => {
      const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      const result = await deps.services.track(() =>
        deps.services.payments.handleWebhook(deps.orm.em.fork(), deps.provider, body, request.headers, {
          requestId: request.id,
          ip: request.ip,
        }),
      );
      reply.code(result.status);
      return { outcome: result.outcome };
    });
  });
}
