import type { FastifyInstance, FastifyReply } from 'fastify';
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { ACCOUNT_PAGES, sendAccountPage, type AccountPage } from './account-pages.js';

/** Content types of what `vite build` writes. */
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
  '.map': 'application/json; charset=utf-8',
};

/** The web app's own paths; everything else under them is the app's to route (index.html). */
const RESERVED = /^\/(graphql|graphiql|healthz|readyz|metrics|sandbox|webhooks|dev)(\/|$)/;

/**
 * The built web app (web/, `npm run build:web` into dist/web) at `/`: files as they are,
 * hashed assets cached for a year, index.html and the service worker never cached, and
 * index.html for any other page a browser asks for (the app routes on the client). Paths of the
 * API (/graphql, /sandbox, …) are never the app's. Without a build, `/` says how to make one,
 * and the pages links in mail lead to (/verify-email, /reset-password) are the API's own.
 */
export function registerWebApp(fastify: FastifyInstance, dir: string): void {
  const root = path.resolve(dir);
  const index = path.join(root, 'index.html');

  const send = async (reply: FastifyReply, file: string, cache: string) => {
    const type = TYPES[path.extname(file)] ?? 'application/octet-stream';
    return reply.header('cache-control', cache).header('x-content-type-options', 'nosniff').type(type).send(createReadStream(file));
  };

  const sendIndex = async (reply: FastifyReply, pathname: string) => {
    const accountPage = (ACCOUNT_PAGES as readonly string[]).includes(pathname);
    try {
      const html = await readFile(index, 'utf8');
      // A page that reads a token from its address sends no Referer anywhere.
      if (accountPage) reply.header('referrer-policy', 'no-referrer');
      return reply.header('cache-control', 'no-cache').type('text/html; charset=utf-8').send(html);
    } catch {
      if (accountPage) return sendAccountPage(reply, pathname as AccountPage);
      return reply
        .code(404)
        .type('text/html; charset=utf-8')
        .send(
          '<!doctype html><meta charset="utf-8"><title>Web app not built</title>' +
            '<p>The web app is not built here: run <code>npm run build:web</code> (or <code>npm start</code>, which builds it). ' +
            'The API is at <a href="/graphql">/graphql</a>.</p>',
        );
    }
  };

  fastify.get('/*', async (request, reply) => {
    const url = new URL(request.url, 'http://localhost');
    let pathname: string;
    try {
      pathname = decodeURIComponent(url.pathname);
    } catch {
      return reply.code(400).send({ error: 'Bad path' });
    }
    if (RESERVED.test(pathname)) return reply.code(404).send({ error: 'Not Found', message: `Route GET:${url.pathname} not found` });
    const file = path.join(root, path.normalize(pathname));
    // Never outside the build, and no dot-files.
    if ((file !== root && !file.startsWith(root + path.sep)) || pathname.split('/').some((p) => p.startsWith('.'))) {
      return reply.code(404).send({ error: 'Not Found' });
    }
    if (pathname !== '/' && pathname !== '/index.html') {
      const found = await stat(file).catch(() => null);
      if (found?.isFile()) {
        const immutable = pathname.startsWith('/assets/');
        const noCache = pathname === '/sw.js' || pathname.endsWith('.webmanifest');
        return send(reply, file, immutable ? 'public, max-age=31536000, immutable' : noCache ? 'no-cache' : 'public, max-age=3600');
      }
      // A file that is not there (an old asset, a typo'd script) is a 404, not the app's page.
      if (path.extname(pathname) !== '' || !String(request.headers.accept ?? '').includes('text/html')) {
        return reply.code(404).send({ error: 'Not Found' });
      }
    }
    return sendIndex(reply, pathname);
  });
}
