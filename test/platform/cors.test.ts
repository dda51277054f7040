import 'reflect-metadata';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { sql } from '../support/helpers.js';
import { productionEnv, type TestServer, useTestServer } from '../support/server.js';

/**
 * Browsers on other origins: the same rule for CORS preflights, plain requests and WebSocket
 * upgrades. Outside production any loopback port and Apollo's hosted Sandbox; in production
 * only CORS_ORIGINS and PUBLIC_URL. A refused origin is told to use CORS_ORIGINS.
 */

const CLIENT_HEADERS = ['content-type', 'authorization', 'apollo-require-preflight', 'x-apollo-operation-name', 'x-request-id'];

function preflight(server: TestServer, origin: string) {
  return fetch(server.graphqlUrl, {
    method: 'OPTIONS',
    headers: {
      origin,
      'access-control-request-method': 'POST',
      'access-control-request-headers': CLIENT_HEADERS.join(','),
    },
  });
}

function post(server: TestServer, origin: string | undefined, body: string, contentType = 'application/json') {
  return fetch(server.graphqlUrl, {
    method: 'POST',
    headers: { 'content-type': contentType, ...(origin ? { origin } : {}) },
    body,
  });
}

const listOf = (value: string | null) => (value ?? '').split(',').map((v) => v.trim().toLowerCase());

async function expectAllowedPreflight(server: TestServer, origin: string) {
  const res = await preflight(server, origin);
  expect(res.status, origin).toBe(204);
  expect(res.headers.get('access-control-allow-origin')).toBe(origin);
  expect(listOf(res.headers.get('access-control-allow-methods'))).toEqual(expect.arrayContaining(['get', 'post']));
  expect(listOf(res.headers.get('access-control-allow-headers'))).toEqual(expect.arrayContaining(CLIENT_HEADERS));
  expect(res.headers.get('access-control-allow-credentials')).toBe('true');
  expect(listOf(res.headers.get('vary'))).toContain('origin');

  // Then the request the browser sends after it.
  const real = await post(server, origin, JSON.stringify({ query: '{ currencies { code } }' }));
  expect(real.status).toBe(200);
  expect(real.headers.get('access-control-allow-origin')).toBe(origin);
  expect(listOf(real.headers.get('access-control-expose-headers'))).toContain('x-request-id');
  const body = (await real.json()) as { data?: { currencies: { code: string }[] } };
  expect(body.data?.currencies.map((c) => c.code)).toContain('NGN');
}

async function expectRefusal(res: Response) {
  expect(res.status).toBe(403);
  expect(res.headers.get('access-control-allow-origin')).toBeNull();
  const body = (await res.json()) as { code: string; message: string };
  expect(body.code).toBe('ORIGIN_NOT_ALLOWED');
  expect(body.message).toMatch(/not allowed/);
  expect(body.message).toMatch(/CORS_ORIGINS/);
}

/** The status and body of a WebSocket upgrade, or 101 when it opened. */
function upgrade(server: TestServer, origin?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(server.graphqlUrl.replace(/^http/, 'ws'), 'graphql-transport-ws', origin ? { origin } : {});
    socket.once('open', () => {
      socket.close();
      resolve({ status: 101, body: '' });
    });
    socket.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    socket.once('error', (err) => {
      if (!/Unexpected server response/.test(err.message)) reject(err);
    });
  });
}

describe('outside production', () => {
  const server = useTestServer({ NODE_ENV: 'development' }, { reset: false });

  it('lets dev servers on any loopback port preflight and call the API without configuration', async () => {
    for (const origin of ['http://localhost:5173', 'http://127.0.0.1:8080', 'http://[::1]:3000']) {
      await expectAllowedPreflight(server, origin);
    }
  });

  it("lets Apollo's hosted Sandbox and Studio call it", async () => {
    await expectAllowedPreflight(server, 'https://sandbox.embed.apollographql.com');
    await expectAllowedPreflight(server, 'https://studio.apollographql.com');
  });

  it('refuses other origins, naming CORS_ORIGINS, and runs nothing they send', async () => {
    for (const origin of ['https://evil.example', 'http://localhost.evil.example:5173', 'null']) {
      await expectRefusal(await preflight(server, origin));
    }
    // A simple request (no preflight) from a refused origin must not execute.
    const signUp = `mutation { signUp(input: { email: "cors@example.com", password: "correct horse", fullName: "C" }) { accessToken } }`;
    await expectRefusal(await post(server, 'https://evil.example', JSON.stringify({ query: signUp }), 'text/plain'));
    await expectRefusal(await post(server, 'https://evil.example', JSON.stringify({ query: signUp })));
    expect(await sql(server.app, `select id from users where email = 'cors@example.com'`)).toEqual([]);
  });

  it("keeps Apollo's CSRF prevention for requests that were not preflighted", async () => {
    for (const origin of [undefined, 'http://localhost:5173']) {
      const res = await post(server, origin, JSON.stringify({ query: '{ __typename }' }), 'text/plain');
      expect(res.status, String(origin)).toBe(400);
      expect(await res.text()).toMatch(/CSRF/);
    }
  });

  it('checks the Origin of WebSocket upgrades against the same rule', async () => {
    const refused = await upgrade(server, 'https://evil.example');
    expect(refused.status).toBe(403);
    expect(refused.body).toMatch(/CORS_ORIGINS/);
    expect((await upgrade(server, 'http://localhost:5173')).status).toBe(101);
    // Native apps and Node clients send no Origin.
    expect((await upgrade(server)).status).toBe(101);
  });
});

describe('production', () => {
  const server = useTestServer(
    { ...productionEnv(), CORS_ORIGINS: 'https://app.example.com', PUBLIC_URL: 'https://api.example.com' },
    { reset: false },
  );

  it('allows CORS_ORIGINS and its own PUBLIC_URL origin', async () => {
    await expectAllowedPreflight(server, 'https://app.example.com');
    await expectAllowedPreflight(server, 'https://api.example.com');
  });

  it("refuses loopback dev servers and Apollo's hosted Sandbox, naming CORS_ORIGINS", async () => {
    for (const origin of ['http://localhost:5173', 'http://127.0.0.1:8080', 'https://sandbox.embed.apollographql.com']) {
      await expectRefusal(await preflight(server, origin));
    }
  });

  it('checks WebSocket upgrades against CORS_ORIGINS', async () => {
    const refused = await upgrade(server, 'http://localhost:5173');
    expect(refused.status).toBe(403);
    expect(refused.body).toMatch(/CORS_ORIGINS/);
    expect((await upgrade(server, 'https://app.example.com')).status).toBe(101);
    expect((await upgrade(server)).status).toBe(101);
  });
});
