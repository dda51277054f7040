import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { migrate, openOrm } from '../../src/db/orm.js';
import { ADMIN_DATABASE_URL, databaseUrl, REDIS_URL, templateDatabase } from './env.js';

async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: ADMIN_DATABASE_URL });
  await client.connect().catch((err: Error) => {
    throw new Error(`Tests need PostgreSQL at ${ADMIN_DATABASE_URL} (set DATABASE_URL): ${err.message}`);
  });
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Builds one migrated template database for this run; each worker clones it (db.ts). */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const runId = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  const template = templateDatabase(runId);
  await admin((c) => c.query(`create database "${template}"`));
  const url = databaseUrl(template);
  const orm = await openOrm(url, 2);
  try {
    await migrate(orm, url);
  } finally {
    await orm.close(true);
  }
  const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect().catch((err: Error) => {
    throw new Error(`Tests need Redis at ${REDIS_URL} (set REDIS_URL): ${err.message}`);
  });
  await redis.quit();
  project.provide('testRunId', runId);

  return async () => {
    await admin(async (c) => {
      const { rows } = await c.query<{ datname: string }>('select datname from pg_database where datname like $1', [
        `wallet_t_${runId}_%`,
      ]);
      for (const { datname } of rows) await c.query(`drop database if exists "${datname}" with (force)`);
    });
  };
}
