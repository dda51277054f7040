import type { MikroORM } from '@mikro-orm/postgresql';
import type { FastifyInstance } from 'fastify';
import { formatMoney } from '../domain/currencies/currency.service.js';
import type { PaymentWebhookService } from '../domain/payments/payment-webhook.service.js';
import type { Services } from '../schema/build-schema.js';
import { SANDBOX_SIGNATURE_HEADER, type SandboxProvider } from '../providers/sandbox/sandbox.provider.js';

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** Back to the web app (served at / on this server), where the wallet shows what was paid. */
const BACK = '<p><a class="back" href="/">Back to your wallet</a></p>';

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escape(title)}</title>
<meta name="viewport" content="width=device-width,initial-scale=1">
<style>body{font-family:system-ui,sans-serif;max-width:28rem;margin:4rem auto;padding:0 1rem}
button{font-size:1rem;padding:.6rem 1.2rem;margin-right:.5rem}.back{display:inline-block;margin-top:1rem;font-size:1.1rem;font-weight:600}</style></head><body>${body}</body></html>`;
}

/**
 * The sandbox checkout of DESIGN.md: GET shows the payment with Pay and Decline; POST with
 * outcome=success|failed completes it by delivering a signed webhook through the same
 * handler real providers' webhooks take.
 */
export function registerSandboxCheckout(
  fastify: FastifyInstance,
  deps: { orm: MikroORM; sandbox: SandboxProvider; services: Services; webhooks: PaymentWebhookService },
): void {
  fastify.get<{ Params: { reference: string } }>('/sandbox/checkout/:reference', async (request, reply) => {
    const payment = await deps.sandbox.checkout(request.params.reference);
    reply.type('text/html; charset=utf-8');
    if (!payment) return reply.code(404).send(page('Not found', `<h1>No such checkout</h1>${BACK}`));
    const currency = deps.services.currencies.get(payment.currency);
    const amount = escape(formatMoney(payment.amount, currency));
    if (payment.status !== 'PENDING') {
      return page(
        'Checkout',
        `<h1>Sandbox checkout</h1><p>This payment of ${amount} is already ${payment.status.toLowerCase()}.</p>${BACK}`,
      );
    }
    return page(
      'Checkout',
      `<h1>Sandbox checkout</h1><p>Pay <strong>${amount}</strong> into your wallet.</p>
<p>This is the built-in sandbox: no real money moves.</p>
<form method="post"><button name="outcome" value="success">Pay</button><button name="outcome" value="failed">Decline</button></form>`,
    );
  });

  fastify.post<{ Params: { reference: string }; Body: { outcome?: string } | undefined }>(
    '/sandbox/checkout/:reference',
    async (request, reply) => {
      const outcome = request.body?.outcome;
      const wantsHtml = !String(request.headers['content-type'] ?? '').includes('json');
      if (outcome !== 'success' && outcome !== 'failed') {
        return reply.code(400).send({ error: 'outcome must be "success" or "failed"' });
      }
      const signed = await deps.sandbox.completeCheckout(request.params.reference, outcome);
      if (!signed) {
        if (!wantsHtml) return reply.code(409).send({ error: 'This checkout is unknown or already completed' });
        reply.code(409).type('text/html; charset=utf-8');
        return page('Checkout', `<h1>Already completed</h1><p>This checkout is unknown or was already paid or declined.</p>${BACK}`);
      }
      const result = await deps.services.track(() =>
        deps.webhooks.handle(
          deps.orm.em.fork(),
          deps.sandbox,
          signed.body,
          { [SANDBOX_SIGNATURE_HEADER]: signed.signature },
          { requestId: request.id, ip: request.ip },
        ),
      );
      const paid = outcome === 'success' && result.outcome === 'DEPOSIT_CREDITED';
      if (!wantsHtml) return { outcome: result.outcome };
      reply.type('text/html; charset=utf-8');
      const [heading, said] = paid
        ? ['Payment received', 'The money is in your wallet.']
        : outcome === 'failed'
          ? ['Payment declined', 'Nothing was charged.']
          : ['Payment sent', 'Your wallet shows the money once the payment is confirmed.'];
      return page('Checkout', `<h1>${heading}</h1><p>${said}</p>${BACK}`);
    },
  );
}
