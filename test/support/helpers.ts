import type { Redis } from 'ioredis';
import { expect } from 'vitest';
import type { App } from '../../src/app.js';

/** Small tools every suite needs; feature helpers re-export them rather than copy them. */

/** The first error's code, or undefined when the reply has none. */
export function errorCode(res: { errors?: readonly { extensions?: Record<string, unknown> }[] }): string | undefined {
  return res.errors?.[0]?.extensions?.code as string | undefined;
}

/** Rows straight from the database of an app or a test server (MikroORM `?` placeholders). */
export function sql<T = Record<string, unknown>>(target: App | { app: App }, query: string, params: unknown[] = []): Promise<T[]> {
  const app = 'orm' in target ? target : target.app;
  return app.orm.em.fork().execute<T[]>(query, params);
}

/** JSON for failure messages: bigints (minor units) as their digits. */
export const asJson = (value: unknown): string => JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));

/** Money rule 5 holds over the whole ledger; on failure the message is the whole report. */
export async function expectBalanced(target: App | { app: App }): Promise<void> {
  const app = 'orm' in target ? target : target.app;
  const report = await app.services.ledger.report(app.orm.em.fork());
  expect(report, asJson(report)).toMatchObject({ balanced: true, mismatchedAccountIds: [] });
}

/**
 * How many writes an ioredis client makes to its socket while `work` runs: one per round trip
 * (with auto-pipelining, each tick's commands leave in one write).
 */
export async function redisWritesDuring(client: Redis, work: () => Promise<unknown>): Promise<number> {
  const stream = (client as unknown as { stream: { write: (...args: unknown[]) => boolean } }).stream;
  const write = stream.write.bind(stream);
  let writes = 0;
  stream.write = (...args: unknown[]) => {
    writes += 1;
    return write(...args);
  };
  try {
    await work();
  } finally {
    stream.write = write;
  }
  return writes;
}

/** Polls `fn` until `ok` holds or `ms` passed; returns the last value either way (assert on it). */
export async function waitFor<T>(fn: () => Promise<T>, ok: (v: T) => boolean, ms = 8_000, everyMs = 50): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (ok(v) || Date.now() > end) return v;
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/**
 * Runs `fn` while a trigger runs `action` (PL/pgSQL) before each insert into `table` of a row for
 * which `condition` (PL/pgSQL over `new`) holds: a fault or a delay in the middle of a piece of
 * work, at a point the test chooses.
 */
export async function withInsertTrigger<T>(app: App, table: string, condition: string, action: string, fn: () => Promise<T>): Promise<T> {
  const name = `test_trigger_${table}`;
  await sql(app, `create or replace function ${name}() returns trigger language plpgsql as $$ begin if ${condition} then ${action}; end if; return new; end $$`);
  await sql(app, `create trigger ${name} before insert on ${table} for each row execute function ${name}()`);
  try {
    return await fn();
  } finally {
    await sql(app, `drop trigger ${name} on ${table}`);
    await sql(app, `drop function ${name}()`);
  }
}

/** PostgreSQL itself fails (as a full disk would) to insert the rows of `table` matching `condition`, for one request. */
export function withInsertFault<T>(app: App, table: string, condition: string, fn: () => Promise<T>): Promise<T> {
  return withInsertTrigger(app, table, condition, "raise exception 'could not extend file (test fault)'", fn);
}

/** `withInsertFault` for the ledger transfer of `amount` (and of no other amount). */
export function withLedgerFault<T>(app: App, amount: bigint, fn: () => Promise<T>): Promise<T> {
  return withInsertFault(app, 'ledger_transfers', `new.amount = ${amount}`, fn);
}

/** Runs `fn` over `items` with at most `limit` in flight. */
export async function pool<T, R>(items: T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i], i);
      }
    }),
  );
  return out;
}

/** A statement as knex reports it: its text, bound values and options (a prepared statement's name). */
export interface SentQuery {
  sql: string;
  bindings?: unknown[];
  options?: { name?: string };
}

/** Every statement the app sends to PostgreSQL through MikroORM's knex while `fn` runs. */
export async function queriesDuring(app: App, fn: () => Promise<unknown>): Promise<SentQuery[]> {
  const knex = app.orm.em.getConnection().getKnex();
  const seen: SentQuery[] = [];
  const listener = (q: SentQuery) => seen.push(q);
  knex.on('query', listener);
  try {
    await fn();
  } finally {
    knex.off('query', listener);
  }
  return seen;
}

/** The texts of queriesDuring(). */
export async function statementsDuring(app: App, fn: () => Promise<unknown>): Promise<string[]> {
  return (await queriesDuring(app, fn)).map((q) => q.sql);
}

/** A promise and its resolve, for putting concurrent requests in an exact order (Promise.withResolvers is Node 22's). */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}
