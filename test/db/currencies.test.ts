import type { MikroORM } from '@mikro-orm/postgresql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CURRENCIES, CURRENCY_CODES } from '../../src/config/currencies.js';
import { migrate, openOrm } from '../../src/db/orm.js';
import { admin } from '../support/db.js';
import { databaseUrl, runId, workerId } from '../support/env.js';

/**
 * The currency catalog (src/config/currencies.ts) is the one place a currency is added: start-up
 * (the migration step) makes the `currencies` table hold it, and refuses a database that
 * disagrees where it must never change.
 */

const name = () => `wallet_t_${runId()}_w${workerId()}_currencies`;
const url = () => databaseUrl(name());

let orm: MikroORM;
beforeAll(async () => {
  await admin(`drop database if exists "${name()}" with (force)`);
  await admin(`create database "${name()}"`);
  orm = await openOrm(url(), 2);
});
afterAll(async () => {
  await orm?.close(true);
  await admin(`drop database if exists "${name()}" with (force)`);
});

const rows = () =>
  orm.em.getConnection().execute<{ code: string; name: string; exponent: number; symbol: string }[]>('select code, name, exponent, symbol from currencies order by code');
const catalog = () =>
  CURRENCY_CODES.map((code) => ({ code, name: CURRENCIES[code].name, exponent: CURRENCIES[code].exponent, symbol: CURRENCIES[code].symbol })).sort((a, b) =>
    a.code.localeCompare(b.code),
  );
const sql = (query: string) => orm.em.getConnection().execute(query);

describe('the currencies table', () => {
  it('holds the catalog after migrating, and gets back a row or a name that went missing', async () => {
    await migrate(orm, url());
    expect(await rows()).toEqual(catalog());

    // As if the catalog had gained EUR and renamed GBP since the last start.
    await sql(`delete from currencies where code = 'EUR'`);
    await sql(`update currencies set name = 'Old name', symbol = '?' where code = 'GBP'`);
    await migrate(orm, url());
    expect(await rows()).toEqual(catalog());
  });

  it('refuses to start when a currency has another exponent in the database, naming it', async () => {
    await sql(`update currencies set exponent = 3 where code = 'KES'`);
    await expect(migrate(orm, url())).rejects.toThrow(/KES has exponent 3 in the database and 2 in src\/config\/currencies\.ts/);
    await sql(`update currencies set exponent = 2 where code = 'KES'`);
    await migrate(orm, url());
  });

  it('refuses to start when the database has a currency the catalog lacks, naming it', async () => {
    await sql(`insert into currencies (code, name, exponent, symbol) values ('XAU', 'Gold', 4, 'Au')`);
    await expect(migrate(orm, url())).rejects.toThrow(/XAU is in the database but not in src\/config\/currencies\.ts/);
    await sql(`delete from currencies where code = 'XAU'`);
    await migrate(orm, url());
    expect(await rows()).toEqual(catalog());
  });
});
