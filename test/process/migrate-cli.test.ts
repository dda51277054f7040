import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrations } from '../../src/migrations/index.js';
import { admin } from '../support/db.js';
import { databaseUrl, runId, workerId } from '../support/env.js';
import { cleanEnv, ensureBuilt, ROOT, spawnNode } from './child.js';

/** `npm run migrate`, run as the built CLI against an empty database of its own. */

const CLI = path.join(ROOT, 'dist/src/cli/migrate.js');
const name = () => `wallet_t_${runId()}_w${workerId()}_cli`;

async function migrate(): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawnNode(CLI, [], cleanEnv({ DATABASE_URL: databaseUrl(name()) }));
  try {
    const exit = await child.waitForExit(30_000);
    return { code: exit.code, stdout: child.stdout(), stderr: child.stderr() };
  } finally {
    await child.kill();
  }
}

beforeAll(async () => {
  ensureBuilt();
  await admin(`create database "${name()}"`);
});
afterAll(() => admin(`drop database if exists "${name()}" with (force)`));

describe('npm run migrate', () => {
  it('applies every migration to an empty database, then finds nothing to do', async () => {
    const first = await migrate();
    expect(first.code, first.stderr).toBe(0);
    for (const m of migrations) expect(first.stdout).toContain(m.name);

    const client = new pg.Client({ connectionString: databaseUrl(name()) });
    await client.connect();
    try {
      const { rows } = await client.query<{ name: string }>('select name from mikro_orm_migrations');
      expect(rows.map((r) => r.name)).toEqual(migrations.map((m) => m.name));
    } finally {
      await client.end();
    }

    const second = await migrate();
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toMatch(/Nothing to apply/);
  });

  it('exits non-zero with the reason when the database does not exist', async () => {
    const child = spawnNode(CLI, [], cleanEnv({ DATABASE_URL: databaseUrl(`${name()}_missing`) }));
    try {
      const exit = await child.waitForExit(30_000);
      expect(exit.code).not.toBe(0);
      expect(child.stderr()).toMatch(/does not exist/);
    } finally {
      await child.kill();
    }
  });
});
