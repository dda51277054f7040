import { randomUUID } from 'node:crypto';
import type { MikroORM } from '@mikro-orm/postgresql';
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { functionDefinition } from '../../src/db/functions.js';
import { latestFunctionFiles } from '../support/function-files.js';
import { openOrm } from '../../src/db/orm.js';
import { CardRepository } from '../../src/domain/cards/card.repository.js';
import { admin } from '../support/db.js';
import { databaseUrl, runId, workerId } from '../support/env.js';

const name = () => `wallet_t_${runId()}_w${workerId()}_versions`;
const BEFORE = 'Migration20261128080000_transfer_function_v2';

let orm: MikroORM;
beforeAll(async () => {
  await admin(`create database "${name()}"`);
  orm = await openOrm(databaseUrl(name()), 2);
});
afterAll(async () => {
  await orm.close(true);
  await admin(`drop database if exists "${name()}" with (force)`);
});

describe('migration 090000 (single-step versions)', () => {
  it("keeps every card's version where it was (row counter + account counter), never lower", async () => {
    const migrator = orm.getMigrator();
    await migrator.up({ to: BEFORE });
    const db = orm.em.getConnection();
    const user = randomUUID();
    const wallet = randomUUID();
    const card = randomUUID();
    await db.execute(`insert into users (id, email, password_hash, full_name) values (?, ?, 'x', 'V')`, [user, `v-${user}@example.com`]);
    await db.execute(`insert into ledger_accounts (id, kind, user_id, currency, version) values (?, 'WALLET', ?, 'NGN', 7)`, [wallet, user]);
    await db.execute(`insert into ledger_accounts (id, kind, user_id, currency, version) values (?, 'CARD', ?, 'NGN', 5)`, [card, user]);
    await db.execute(
      `insert into cards (id, user_id, wallet_id, issuer, issuer_card_id, brand, last4, exp_month, exp_year, status, version)
       values (?, ?, ?, 'sandbox', ?, 'VISA', '4242', 1, 2030, 'ACTIVE', 3)`,
      [card, user, wallet, `ic-${card}`],
    );

    await migrator.up();
    const repo = new CardRepository();
    // Served before: 3 (row) + 5 (account) = 8. Now the account's alone, and still 8.
    expect((await repo.find(orm.em.fork(), card))!.version).toBe(8);
    const [row] = await db.execute<{ version: number }[]>('select version from cards where id = ?', [card]);
    expect(row.version).toBe(0);
    const [w] = await db.execute<{ version: number }[]>('select version from ledger_accounts where id = ?', [wallet]);
    expect(w.version).toBe(7);

    // A status change steps it once; setting the same status again changes nothing.
    await orm.em.fork().transactional((tx) => repo.update(tx, card, { status: 'FROZEN' }));
    expect((await repo.find(orm.em.fork(), card))!.version).toBe(9);
    await orm.em.fork().transactional((tx) => repo.update(tx, card, { status: 'FROZEN' }));
    expect((await repo.find(orm.em.fork(), card))!.version).toBe(9);

    // Rolled back, the old formula (row + account) reads the same number.
    await migrator.down({ to: BEFORE });
    const [old] = await db.execute<{ version: number }[]>(
      'select c.version + a.version as version from cards c join ledger_accounts a on a.id = c.id where c.id = ?',
      [card],
    );
    expect(old.version).toBe(9);
  });
});

describe('migration 20261206000000 (the outflow lock)', () => {
  const definition = async () => {
    const [row] = await orm.em
      .getConnection()
      .execute<{ def: string }[]>(`select pg_get_functiondef('wallet_transfer'::regproc) as def`);
    return row.def;
  };
  const hasOutflowToday = async () =>
    (await orm.em.getConnection().execute<{ n: number }[]>(`select count(*)::int as n from pg_proc where proname = 'outflow_today'`))[0].n === 1;

  it('makes wallet_transfer sum the day under outflow_today, and goes back to the second version on the way down', async () => {
    const migrator = orm.getMigrator();
    // As this migration left it (the later ones moved the call into outflow_limit).
    await migrator.up();
    await migrator.down({ to: 'Migration20261206010000_function_files' });
    expect(await hasOutflowToday()).toBe(true);
    expect(await definition()).toContain('v_used := outflow_today(p_user, v_sender.currency);');
    expect(await definition()).not.toContain('select coalesce(sum(amount), 0) into v_used');

    await migrator.down({ to: 'Migration20261206000000_outflow_lock' });
    expect(await hasOutflowToday()).toBe(false);
    expect(await definition()).toContain('select coalesce(sum(amount), 0) into v_used');

    await migrator.up();
    expect(await hasOutflowToday()).toBe(true);
  });
});

describe('migration 20261206010000 (function files)', () => {
  const functions = async () =>
    new Map(
      (
        await orm.em.getConnection().execute<{ name: string; def: string }[]>(
          `select p.proname as name, pg_get_functiondef(p.oid) as def from pg_proc p
           join pg_namespace n on n.oid = p.pronamespace
           where n.nspname = 'public' and not exists (select 1 from pg_depend d where d.objid = p.oid and d.deptype = 'e')`,
        )
      ).map((r) => [r.name, r.def]),
    );

  it('makes every function of the schema exactly the latest version of its file, and puts the old texts back on the way down', async () => {
    const migrator = orm.getMigrator();
    await migrator.up();
    const latest = await latestFunctionFiles();
    const live = await functions();
    expect([...live.keys()].sort()).toEqual([...latest.keys()].sort());
    for (const [name, file] of latest) expect(live.get(name), name).toBe(functionDefinition(await readFile(file, 'utf8')));

    await migrator.down({ to: 'Migration20261206010000_function_files' });
    const before = await functions();
    // The same functions (the primitives came after), as the earlier migrations wrote them (indented in their TypeScript).
    expect([...before.keys()].sort()).toEqual(['ledger_account_json', 'outflow_today', 'transaction_json', 'wallet_transfer']);
    expect(before.get('wallet_transfer')).toContain('\n      declare\n');
    expect(before.get('wallet_transfer')).toContain('v_used := outflow_today(p_user, v_sender.currency);');
    expect(before.get('outflow_today')).toContain('\n  declare\n');
    expect(before.get('transaction_json')).toContain('\n        select jsonb_build_object(');
    expect(before.get('ledger_account_json')).toContain('\n        select jsonb_build_object(');

    await migrator.up();
    expect(await functions()).toEqual(live);
  });
});

/** A function's definition as PostgreSQL prints it, or null when there is none. */
const definitionOf = async (name: string) =>
  (
    await orm.em
      .getConnection()
      .execute<{ def: string | null }[]>(`select (select pg_get_functiondef(p.oid) from pg_proc p where p.proname = ?) as def`, [name])
  )[0].def;
/** A function file as pg_get_functiondef prints it. */
const file = async (base: string) => functionDefinition(await readFile(new URL(`../../src/db/functions/${base}`, import.meta.url), 'utf8'));

describe('migration 20261206020000 (post_movement, outflow_limit, idempotency_claim)', () => {
  it('adds post_movement, outflow_limit and idempotency_claim and makes wallet_transfer call them; on the way down wallet_transfer does it all by itself again', async () => {
    const migrator = orm.getMigrator();
    await migrator.up();
    await migrator.down({ to: 'Migration20261206030000_open_wallet_audit_record' });
    expect(await definitionOf('post_movement')).toBe(await file('post_movement.v1.sql'));
    expect(await definitionOf('outflow_limit')).toBe(await file('outflow_limit.v1.sql'));
    expect(await definitionOf('idempotency_claim')).toBe(await file('idempotency_claim.v1.sql'));
    expect(await definitionOf('wallet_transfer')).toBe(await file('wallet_transfer.v5.sql'));
    expect(await definitionOf('wallet_transfer')).toContain('v_moved := post_movement(');
    expect(await definitionOf('wallet_transfer')).toContain('v_refusal := outflow_limit(');
    expect(await definitionOf('wallet_transfer')).toContain('v_replay := idempotency_claim(');

    await migrator.down({ to: 'Migration20261206020000_money_primitives' });
    expect(await definitionOf('post_movement')).toBeNull();
    expect(await definitionOf('outflow_limit')).toBeNull();
    expect(await definitionOf('idempotency_claim')).toBeNull();
    expect(await definitionOf('wallet_transfer')).toBe(await file('wallet_transfer.v4.sql'));

    await migrator.up({ to: 'Migration20261206020000_money_primitives' });
    expect(await definitionOf('post_movement')).toBe(await file('post_movement.v1.sql'));
  });
});

describe('migration 20261206030000 (open_wallet, audit_record)', () => {
  it('adds open_wallet and audit_record and makes wallet_transfer call them; on the way down version 5 is back and they are gone', async () => {
    const migrator = orm.getMigrator();
    await migrator.up();
    expect(await definitionOf('open_wallet')).toBe(await file('open_wallet.v1.sql'));
    expect(await definitionOf('audit_record')).toBe(await file('audit_record.v1.sql'));
    expect(await definitionOf('wallet_transfer')).toBe(await file('wallet_transfer.v6.sql'));
    expect(await definitionOf('wallet_transfer')).toContain('v_wallet := (open_wallet(');
    expect(await definitionOf('wallet_transfer')).toContain('perform audit_record(');
    expect(await definitionOf('wallet_transfer')).not.toContain('insert into audit_log');
    expect(await definitionOf('wallet_transfer')).not.toContain('insert into ledger_accounts');

    await migrator.down({ to: 'Migration20261206030000_open_wallet_audit_record' });
    expect(await definitionOf('open_wallet')).toBeNull();
    expect(await definitionOf('audit_record')).toBeNull();
    expect(await definitionOf('wallet_transfer')).toBe(await file('wallet_transfer.v5.sql'));

    await migrator.up();
    expect(await definitionOf('wallet_transfer')).toBe(await file('wallet_transfer.v6.sql'));
  });
});
