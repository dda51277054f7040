import { timingSafeEqual } from 'node:crypto';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { FastifyInstance } from 'fastify';
import type { RedisHandle } from '../cache/redis.js';
import type { Metrics } from './metrics.js';

/** Set once migrations have run; until then the replica is not ready. */
export interface Readiness {
  migrated: boolean;
}

const CHECK_TIMEOUT_MS = 1_000;

function withTimeout<T>(promise: Promise<T>, fallback: T): Promise<T> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<T>((resolve) => {
    timer = setTimeout(() => resolve(fallback), CHECK_TIMEOUT_MS);
  });
  return Promise.race([promise.catch(() => fallback), timeout]).finally(() => clearTimeout(timer));
}

/** Who may read GET /metrics (`config.http.metrics`). */
export type MetricsAccess = 'open' | 'off' | { token: string };

/** The header is `Bearer <token>`, compared in constant time. */
function bearerMatches(header: string | undefined, token: string): boolean {
  const given = Buffer.from(header?.startsWith('Bearer ') ? header.slice(7) : '');
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export function registerHealthRoutes(
  fastify: FastifyInstance,
  deps: { orm: MikroORM; redis: RedisHandle; readiness: Readiness; metrics: Metrics; access: MetricsAccess },
): void {
  fastify.get('/healthz', { logLevel: 'warn' }, async () => ({ status: 'ok' }));

  fastify.get('/readyz', { logLevel: 'warn' }, async (_request, reply) => {
    const [postgres, redis, eviction] = await Promise.all([
      withTimeout(
        deps.orm.em
          .getConnection()
          .execute('select 1')
          .then(() => true),
        false,
      ),
      withTimeout(deps.redis.ping(), false),
      withTimeout(deps.redis.evictionPolicy(), undefined),
    ]);
    const pgUp = postgres && deps.readiness.migrated;
    // A Redis that evicts keys under memory pressure drops rate-limit counters: it still
    // serves, but not as configured.
    const evicting = eviction !== undefined && eviction !== 'noeviction';
    const status = !pgUp ? 'down' : redis && !evicting ? 'ok' : 'degraded';
    reply.code(pgUp ? 200 : 503).header('cache-control', 'no-store');
    return {
      status,
      checks: { postgres: pgUp ? 'up' : 'down', redis: redis ? 'up' : 'down', redisEviction: eviction ?? 'unknown' },
    };
  });

  const access = deps.access;
  if (access === 'off') return;
  fastify.get('/metrics', { logLevel: 'warn' }, async (request, reply) => {
    if (access !== 'open' && !bearerMatches(request.headers.authorization, access.token)) {
      return reply.code(401).header('www-authenticate', 'Bearer').send({ error: 'a bearer token is required (METRICS_TOKEN)' });
    }
    reply.header('content-type', deps.metrics.registry.contentType);
    return deps.metrics.registry.metrics();
  });
}
