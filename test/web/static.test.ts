import Fastify from 'fastify';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerWebApp } from '../../src/http/web-app.js';

/** The built web app at / (src/http/web-app.ts): its files, the page for app paths, nothing else. */
let dir: string;
let outside: string;
const fastify = Fastify();

beforeAll(async () => {
  const base = await mkdtemp(path.join(os.tmpdir(), 'web-static-'));
  dir = path.join(base, 'web');
  outside = path.join(base, 'secret.txt');
  await mkdir(path.join(dir, 'assets'), { recursive: true });
  await writeFile(path.join(dir, 'index.html'), '<!doctype html><div id="root"></div>');
  await writeFile(path.join(dir, 'assets/index-abc123.js'), 'console.log(1)');
  await writeFile(path.join(dir, 'sw.js'), 'self.addEventListener("fetch", () => {})');
  await writeFile(path.join(dir, 'manifest.webmanifest'), '{}');
  await writeFile(path.join(dir, '.env'), 'SECRET=1');
  await writeFile(outside, 'not yours');
  registerWebApp(fastify, dir);
  fastify.get('/graphql', async () => ({ api: true }));
});
afterAll(async () => {
  await fastify.close();
  await rm(path.dirname(dir), { recursive: true, force: true });
});

const get = (url: string, accept = 'text/html') => fastify.inject({ method: 'GET', url, headers: { accept } });

describe('the web app at /', () => {
  it('serves the page for / and for any app path a browser asks for, never cached', async () => {
    for (const url of ['/', '/index.html', '/cards/123', '/history?wallet=x']) {
      const res = await get(url);
      expect(res.statusCode, url).toBe(200);
      expect(res.body, url).toContain('<div id="root">');
      expect(res.headers['cache-control'], url).toBe('no-cache');
    }
  });

  it('serves its files with their types: hashed assets for a year, the worker and manifest never cached', async () => {
    const js = await get('/assets/index-abc123.js', '*/*');
    expect(js.statusCode).toBe(200);
    expect(js.headers['content-type']).toMatch(/^text\/javascript/);
    expect(js.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect((await get('/sw.js', '*/*')).headers['cache-control']).toBe('no-cache');
    expect((await get('/manifest.webmanifest', '*/*')).headers['content-type']).toMatch(/^application\/manifest\+json/);
  });

  it('answers 404 for a missing file, a non-page request, dot-files, paths out of the folder and the API paths it does not own', async () => {
    expect((await get('/assets/old-999.js', '*/*')).statusCode).toBe(404);
    expect((await get('/cards/123', 'application/json')).statusCode).toBe(404);
    for (const url of ['/.env', '/%2e%2e/secret.txt', '/../secret.txt', '/assets/%2e%2e/%2e%2e/secret.txt', '/%00']) {
      const res = await get(url, '*/*');
      expect(res.statusCode, url).toBe(404);
      expect(res.body, url).not.toContain('not yours');
      expect(res.body, url).not.toContain('SECRET');
    }
    for (const url of ['/metrics', '/sandbox/checkout/x', '/webhooks/paystack', '/graphiql']) expect((await get(url)).statusCode, url).toBe(404);
    expect((await get('/graphql', 'application/json')).json()).toEqual({ api: true });
    expect((await get('/%E0%A4%A')).statusCode).toBe(400);
  });

  it('says how to build the app when it is not built', async () => {
    const bare = Fastify();
    registerWebApp(bare, path.join(dir, 'missing'));
    const res = await bare.inject({ method: 'GET', url: '/', headers: { accept: 'text/html' } });
    expect(res.statusCode).toBe(404);
    expect(res.body).toMatch(/npm run build:web/);
    await bare.close();
  });
});
