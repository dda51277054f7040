import type { FastifyInstance } from 'fastify';
import type { SandboxIssuer } from '../providers/sandbox/sandbox.issuer.js';

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * GET /sandbox/cards/{token}: the one-time page behind revealCard. The number is derived on
 * the fly and never stored; the page is not cached and the token works once.
 */
export function registerSandboxCardPage(fastify: FastifyInstance, deps: { issuer: SandboxIssuer }): void {
  fastify.get<{ Params: { token: string } }>('/sandbox/cards/:token', { logLevel: 'warn' }, async (request, reply) => {
    reply.header('cache-control', 'no-store').header('referrer-policy', 'no-referrer').type('text/html; charset=utf-8');
    const details = await deps.issuer.redeem(request.params.token);
    if (!details) return reply.code(404).send('<!doctype html><title>Expired</title><p>This link has expired or was already used.</p>');
    const number = details.number.replace(/(\d{4})(?=\d)/g, '$1 ');
    return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Card details</title></head>
<body style="font-family:system-ui,sans-serif;max-width:28rem;margin:4rem auto">
<h1>Sandbox card</h1><p style="font-size:1.4rem;letter-spacing:.1em">${escape(number)}</p>
<p>CVV <strong>${escape(details.cvv)}</strong></p><p>This page works once.</p></body></html>`;
  });
}
