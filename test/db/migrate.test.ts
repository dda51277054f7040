import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate, openOrm } from '../../src/db/orm.js';
import { migrations } from '../../src/migrations/index.js';
import { admin } from '../support/db.js';
import { databaseUrl, runId, workerId } from '../support/env.js';

const name = () => `wallet_t_${runId()}_w${workerId()}_migrate`;

beforeAll(() => admin(`create database "${name()}"`));
afterAll(() => admin(`drop database if exists "${name()}" with (force)`));

describe('migrations', () => {
  it('replicas starting together apply each migration exactly once (advisory lock)', async () => {
    const url = databaseUrl(name());
    const orms = await Promise.all([1, 2, 3].map(() => openOrm(url, 2)));
    try {
      const applied = await Promise.all(orms.map((orm) => migrate(orm, url)));
      // One replica applied everything; the others waited for the lock and found nothing to do.
      expect(applied.flat().sort()).toEqual(migrations.map((m) => m.name).sort());
      expect(applied.filter((a) => a.length > 0)).toHaveLength(1);

      const rows = await orms[0].em.getConnection().execute<{ name: string }[]>('select name from mikro_orm_migrations');
      expect(rows.map((r) => r.name).sort()).toEqual(migrations.map((m) => m.name).sort());
      const currencies = await orms[0].em.getConnection().execute<{ code: string }[]>('select code from currencies');
      expect(currencies).toHaveLength(7);

      // Running again (a restart) applies nothing.
      expect(await migrate(orms[1], url)).toEqual([]);
    } finally {
      await Promise.all(orms.map((orm) => orm.close(true)));
    }
  });
});
