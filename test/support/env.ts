import { inject } from 'vitest';

/**
 * Where the tests find PostgreSQL and Redis: DATABASE_URL and REDIS_URL when set (the
 * database in DATABASE_URL is only used to create the test databases), otherwise the
 * project machines' local defaults.
 */
export const ADMIN_DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Unique to one `vitest run`, so two runs on one machine never share a database. */
    testRunId: string;
  }
}

export function templateDatabase(runId: string): string {
  return `wallet_t_${runId}_template`;
}

export function runId(): string {
  return inject('testRunId');
}

export function databaseUrl(name: string): string {
  const url = new URL(ADMIN_DATABASE_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

/** 1-based, stable for the life of a vitest worker. */
export function workerId(): string {
  return process.env.VITEST_POOL_ID ?? process.env.VITEST_WORKER_ID ?? '1';
}
