import type { MikroORM } from '@mikro-orm/postgresql';
import type { FastifyInstance } from 'fastify';
import { readDevMailbox } from '../domain/mail/dev-mailbox.repository.js';

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
/** Plain text with its addresses made links (escaped first). */
const linkify = (text: string) => escape(text).replace(/https?:\/\/[^\s<]+/g, (url) => `<a href="${url}">${url}</a>`);

/**
 * GET /dev/mailbox: the mail the server "sent" without SMTP_URL, newest first (`?to=` filters
 * by recipient; `Accept: application/json` or `?format=json` gives JSON), and
 * GET /dev/mailbox/{id} for one message's HTML body. Registered only outside production and
 * without SMTP_URL: the quick start's whole account flow (verify, reset) works with it.
 */
export function registerDevMailbox(fastify: FastifyInstance, orm: MikroORM): void {
  fastify.get<{ Querystring: { to?: string; format?: string } }>('/dev/mailbox', { logLevel: 'warn' }, async (request, reply) => {
    const to = request.query.to?.trim().toLowerCase() || undefined;
    const messages = await readDevMailbox(orm.em.fork(), { to });
    reply.header('cache-control', 'no-store').header('referrer-policy', 'no-referrer');
    if (request.query.format === 'json' || String(request.headers.accept ?? '').startsWith('application/json')) {
      return reply.send({ messages });
    }
    const items = messages
      .map(
        (m) => `<article><h2>${escape(m.subject)}</h2><p class="meta">To ${escape(m.to)} · ${escape(m.createdAt)} ·
<a href="/dev/mailbox/${m.id}">as HTML</a></p><pre>${linkify(m.text)}</pre></article>`,
      )
      .join('\n');
    return reply.type('text/html; charset=utf-8').send(`<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Development mailbox</title>
<style>body{font-family:system-ui,sans-serif;max-width:48rem;margin:2rem auto;padding:0 1rem}article{border-top:1px solid #ccc;padding:.5rem 0}
pre{white-space:pre-wrap;background:#f6f6f6;padding:.75rem}.meta{color:#555;font-size:.9em}</style></head>
<body><h1>Development mailbox</h1>
<p>Mail this server would have sent; set <code>SMTP_URL</code> to send it for real. ${to ? `Only to ${escape(to)}. <a href="/dev/mailbox">All</a>.` : ''}</p>
${items || '<p>No mail yet.</p>'}</body></html>`);
  });

  fastify.get<{ Params: { id: string } }>('/dev/mailbox/:id', { logLevel: 'warn' }, async (request, reply) => {
    const { id } = request.params;
    if (!/^[0-9a-f-]{36}$/i.test(id)) return reply.code(404).send({ error: 'Not Found' });
    const [message] = await readDevMailbox(orm.em.fork(), { id });
    if (!message) return reply.code(404).send({ error: 'Not Found' });
    return reply
      .header('cache-control', 'no-store')
      .header('referrer-policy', 'no-referrer')
      .header(
        'content-security-policy',
        "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox allow-popups allow-top-navigation-by-user-activation",
      )
      .type('text/html; charset=utf-8')
      .send(message.html);
  });
}
