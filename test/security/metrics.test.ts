import { describe, expect, it } from 'vitest';
import { productionEnv, useTestServer } from '../support/server.js';

/**
 * Issue 14's finding: `/metrics` was public on the API port in production, naming every
 * operation and its traffic. In production it is served only behind `METRICS_TOKEN`.
 */
const TOKEN = 'metrics-token-0123456789abcdef';

describe('GET /metrics in production', () => {
  describe('without METRICS_TOKEN', () => {
    const server = useTestServer(productionEnv(), { reset: false });

    it('is not served', async () => {
      expect((await fetch(`${server.url}/metrics`)).status).toBe(404);
      expect((await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(404);
    });
  });

  describe('with METRICS_TOKEN', () => {
    const server = useTestServer({ ...productionEnv(), METRICS_TOKEN: TOKEN }, { reset: false });

    it('answers 401 without the token or with another, and the metrics with it', async () => {
      for (const authorization of [undefined, 'Bearer wrong-token', `Bearer ${TOKEN}x`, TOKEN, `Basic ${TOKEN}`]) {
        const res = await fetch(`${server.url}/metrics`, { headers: authorization ? { authorization } : {} });
        expect(res.status, String(authorization)).toBe(401);
        expect(await res.text()).not.toMatch(/graphql_requests_total/);
      }
      const res = await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
      expect(res.status).toBe(200);
      expect(await res.text()).toMatch(/http_request_duration_seconds/);
    });
  });
});
