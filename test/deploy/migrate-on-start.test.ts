import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../src/config/config.js';
import { migrate, openOrm } from '../../src/db/orm.js';
import { migrations } from '../../src/migrations/index.js';
import { admin } from '../support/db.js';
import { databaseUrl, runId, workerId } from '../support/env.js';
import { startTestServer, type TestServer } from '../support/server.js';

/**
 * MIGRATE_ON_START=false (issue 15): migrations are a release step. The server then applies
 * nothing and creates nothing; it answers /readyz 503, saying why in its log, until the
 * migrate command has run, and becomes ready by itself once it has.
 */

const name = () => `wallet_t_${runId()}_w${workerId()}_release`;
const servers: TestServer[] = [];

beforeAll(() => admin(`create database "${name()}"`));
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
  await admin(`drop database if exists "${name()}" with (force)`);
});

async function readyz(server: TestServer): Promise<{ status: number; body: { status: string; checks: { postgres: string } } }> {
  const res = await fetch(`${server.url}/readyz`);
  return { status: res.status, body: (await res.json()) as never };
}

async function tables(url: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ tablename: string }>(`select tablename from pg_tables where schemaname = 'public'`);
    return rows.map((r) => r.tablename);
  } finally {
    await client.end();
  }
}

describe('MIGRATE_ON_START', () => {
  it('is on unless set to false', () => {
    expect(loadConfig({}).database.migrateOnStart).toBe(true);
    expect(loadConfig({ MIGRATE_ON_START: 'false' }).database.migrateOnStart).toBe(false);
    expect(() => loadConfig({ MIGRATE_ON_START: 'later' })).toThrow(/MIGRATE_ON_START/);
  });

  it('off: not ready on an empty database until the migrate command runs, then ready without a restart', async () => {
    const url = databaseUrl(name());
    const server = await startTestServer({ MIGRATE_ON_START: 'false', DATABASE_URL: url }, { waitForMigrations: false });
    servers.push(server);
    let ready = false;
    void server.app.migrated.then(() => (ready = true));

    // The log says what is missing and what to run.
    await vi.waitFor(() => expect(server.logs.find((l) => l.includes('MIGRATE_ON_START=false and the database lacks'))).toBeDefined(), {
      timeout: 10_000,
    });
    const line = JSON.parse(server.logs.find((l) => l.includes('MIGRATE_ON_START=false and the database lacks'))!) as {
      level: number;
      msg: string;
      pending: string[];
    };
    expect(line.pending).toEqual(migrations.map((m) => m.name));
    expect(line.msg).toMatch(/migrate/);
    expect(line.level).toBe(40); // warn

    // Not ready, and it stays so across several checks (2 s apart): it migrates nothing itself,
    // and creates nothing (not even MikroORM's bookkeeping table).
    expect(await readyz(server)).toMatchObject({ status: 503, body: { status: 'down', checks: { postgres: 'down' } } });
    await new Promise((r) => setTimeout(r, 4_500));
    expect((await readyz(server)).status).toBe(503);
    expect(ready).toBe(false);
    expect(await tables(url)).toEqual([]);

    // The release step: the migrate command's own function (src/cli/migrate.ts runs it).
    const orm = await openOrm(url, 2);
    try {
      expect(await migrate(orm, url)).toEqual(migrations.map((m) => m.name));
    } finally {
      await orm.close(true);
    }

    await server.app.migrated;
    expect(await readyz(server)).toMatchObject({ status: 200, body: { checks: { postgres: 'up' } } });
    expect(server.logs.some((l) => l.includes('no migration is pending'))).toBe(true);
    // Serving.
    const answer = await server.raw('{ currencies { code } }');
    expect(answer.errors).toBeUndefined();
    expect((answer.data as { currencies: unknown[] }).currencies).toHaveLength(7);
  });

  it('off: ready at once on a database that is up to date', async () => {
    // The database the test above migrated; startTestServer waits for `migrated` itself.
    const server = await startTestServer({ MIGRATE_ON_START: 'false', DATABASE_URL: databaseUrl(name()) });
    servers.push(server);
    expect((await readyz(server)).status).toBe(200);
    expect(server.logs.some((l) => l.includes('lacks'))).toBe(false);
  });
});
