import type { MikroORM } from '@mikro-orm/postgresql';
import type { HttpServer } from '../http/server.js';
import { registerSandboxCardPage } from '../http/sandbox-cards.js';
import { registerSandboxCheckout } from '../http/sandbox-checkout.js';
import { registerWebhookRoutes, type WebhookRoute } from '../http/webhooks.js';
import { SandboxIssuer } from '../providers/sandbox/sandbox.issuer.js';
import { SandboxProvider } from '../providers/sandbox/sandbox.provider.js';
import type { Wiring } from './services.js';

/**
 * The HTTP routes beside /graphql: the provider's and the issuer's webhooks (each applied as
 * tracked work, so caches and subscriptions learn of what it moved), and the sandbox pages when
 * the sandbox provider or issuer runs.
 */
export async function registerRoutes(http: HttpServer, orm: MikroORM, wiring: Wiring): Promise<void> {
  const { services, provider, issuer, paymentWebhooks, cardWebhooks } = wiring;
  const webhookRoutes: WebhookRoute[] = [
    {
      name: provider.name,
      handle: async (body, request) => {
        const result = await services.track(() =>
          paymentWebhooks.handle(orm.em.fork(), provider, body, request.headers, { requestId: request.id, ip: request.ip }),
        );
        return { status: result.status, body: { outcome: result.outcome } };
      },
    },
  ];
  if (issuer.parseWebhook) {
    webhookRoutes.push({
      name: issuer.name,
      handle: (body, request) =>
        services.track(() => cardWebhooks.handle(orm.em.fork(), issuer, body, request.headers, { requestId: request.id, ip: request.ip })),
    });
  }
  // Each webhook counted by provider and the status answered (webhooks_total; a failure is a 500).
  const counted = webhookRoutes.map((route): WebhookRoute => ({
    name: route.name,
    handle: async (body, request) => {
      try {
        const result = await route.handle(body, request);
        wiring.metrics.observeWebhook(route.name, result.status);
        return result;
      } catch (err) {
        wiring.metrics.observeWebhook(route.name, 500);
        throw err;
      }
    },
  }));
  await registerWebhookRoutes(http.fastify, counted);
  if (provider instanceof SandboxProvider)
    registerSandboxCheckout(http.fastify, { orm, sandbox: provider, services, webhooks: paymentWebhooks });
  if (issuer instanceof SandboxIssuer) registerSandboxCardPage(http.fastify, { issuer });
}
