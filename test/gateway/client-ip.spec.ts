import 'reflect-metadata';
import http from 'node:http';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, type Config } from '../../src/config/config.js';
import { clientIpOf } from '../../src/http/server.js';

/**
 * TRUST_PROXY: what the setting accepts, and the address WebSocket upgrades are counted under
 * (clientIpOf on the raw request) is the one Fastify gives HTTP requests as `request.ip`, for
 * every setting, source address and X-Forwarded-For.
 */

const trustOf = (value: string) => loadConfig({ TRUST_PROXY: value }, '/srv/wallet').http.trustProxy;

describe('TRUST_PROXY', () => {
  it('accepts false, true and lists of addresses, CIDRs and named ranges', () => {
    expect(loadConfig({}, '/srv/wallet').http.trustProxy).toBe(false);
    for (const no of ['false', '0', 'no', '']) expect(trustOf(no), no).toBe(false);
    for (const yes of ['true', '1', 'yes', 'TRUE']) expect(trustOf(yes), yes).toBe(true);
    expect(trustOf('127.0.0.1')).toEqual(['127.0.0.1']);
    expect(trustOf(' 10.0.0.5, 172.18.0.0/16 ,::1,fd00::/8,loopback,uniquelocal')).toEqual([
      '10.0.0.5',
      '172.18.0.0/16',
      '::1',
      'fd00::/8',
      'loopback',
      'uniquelocal',
    ]);
  });

  it('refuses anything else, naming the entries', () => {
    for (const bad of ['maybe', '10.0.0.256', '10.0.0.0/33', '10.0.0.0/0', '::1/129', 'gateway', '10.0.0.1/8/8', '10.0.0.1,*']) {
      let problems: string[] = [];
      try {
        loadConfig({ TRUST_PROXY: bad }, '/srv/wallet');
      } catch (err) {
        expect(err).toBeInstanceOf(ConfigError);
        problems = (err as ConfigError).problems;
      }
      expect(problems, bad).toEqual([expect.stringMatching(/^TRUST_PROXY: must be true, false or a comma-separated list/)]);
    }
  });
});

const servers: FastifyInstance[] = [];
afterAll(() => Promise.all(servers.map((s) => s.close())));

async function serve(trustProxy: Config['http']['trustProxy'], host: string): Promise<number> {
  // What Fastify makes of the setting itself (a list as Fastify compiles a list).
  const fastify = Fastify({ trustProxy });
  fastify.get('/ip', async (request) => ({ fastify: request.ip, ours: clientIpOf(request.raw, trustProxy) }));
  await fastify.listen({ host, port: 0 });
  servers.push(fastify);
  return (fastify.server.address() as { port: number }).port;
}

function ask(port: number, localAddress: string, forwardedFor: string | undefined): Promise<{ fastify: string; ours: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, path: '/ip', localAddress, agent: false, headers: forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor } },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve(JSON.parse(body) as { fastify: string; ours: string }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe('clientIpOf (WebSocket upgrades) against Fastify’s request.ip', () => {
  const settings = ['false', 'true', '127.0.0.1', '127.0.0.1,127.0.0.3', '127.0.0.0/8', 'loopback', '10.0.0.0/8', '::1'];
  const sources = ['127.0.0.1', '127.0.0.2', '127.0.0.3'];
  const forwarded = [undefined, '', '203.0.113.7', '198.51.100.1, 203.0.113.7', '203.0.113.7, 127.0.0.3', 'junk, 127.0.0.2', ' , ,'];

  it('gives the same address for every setting, source and X-Forwarded-For (IPv4 and dual-stack listeners)', async () => {
    const hosts = ['127.0.0.1'];
    // A dual-stack listener sees IPv4 clients as ::ffff:a.b.c.d (where the machine has IPv6).
    const probe = Fastify();
    if (await probe.listen({ host: '::', port: 0 }).then(() => true, () => false)) hosts.push('::');
    await probe.close();
    let compared = 0;
    for (const setting of settings) {
      const trust = trustOf(setting);
      for (const host of hosts) {
        const port = await serve(trust, host);
        for (const from of sources) {
          for (const xff of forwarded) {
            const { fastify, ours } = await ask(port, from, xff);
            expect(ours, `TRUST_PROXY=${setting} listening on ${host}, from ${from}, X-Forwarded-For ${JSON.stringify(xff)}`).toBe(fastify);
            compared += 1;
          }
        }
      }
    }
    expect(compared).toBe(settings.length * hosts.length * sources.length * forwarded.length);
  });

  it('believes X-Forwarded-For only from a trusted proxy, and only its last hop', async () => {
    const port = await serve(trustOf('127.0.0.1'), '127.0.0.1');
    expect((await ask(port, '127.0.0.2', '203.0.113.7')).ours).toBe('127.0.0.2');
    expect((await ask(port, '127.0.0.1', '203.0.113.7')).ours).toBe('203.0.113.7');
    expect((await ask(port, '127.0.0.1', '198.51.100.1, 203.0.113.7')).ours).toBe('203.0.113.7');
    expect((await ask(port, '127.0.0.1', undefined)).ours).toBe('127.0.0.1');
    const everyone = await serve(true, '127.0.0.1');
    expect((await ask(everyone, '127.0.0.2', '198.51.100.1, 203.0.113.7')).ours).toBe('198.51.100.1');
    const nobody = await serve(false, '127.0.0.1');
    expect((await ask(nobody, '127.0.0.1', '203.0.113.7')).ours).toBe('127.0.0.1');
  });
});
