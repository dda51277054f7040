import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { App } from '../../src/app.js';
import { TransactionRepository, type NewTransaction } from '../../src/domain/transactions/transaction.repository.js';
import { errorCode, sql } from '../support/helpers.js';
import type { GraphQLResponse } from '../support/server.js';

export { pool, queriesDuring, sql, statementsDuring } from '../support/helpers.js';

/** The first error's code, or undefined when the response has none. */
export function code(res: GraphQLResponse<unknown>): string | undefined {
  return errorCode(res);
}

/** The wallet's ledger counters as stored, read from PostgreSQL. */
export async function storedBalance(app: App, walletId: string): Promise<bigint> {
  const [row] = await sql<{ b: string }>(app, 'select credits_posted - debits_posted as b from ledger_accounts where id = ?', [walletId]);
  return BigInt(row.b);
}

/**
 * A user-facing row written through the repository, with its own system-side ledger-free
 * reference: for history tests that need statuses and types no HTTP mutation here produces.
 */
export async function insertRow(app: App, row: Omit<NewTransaction, 'reference'> & { reference?: string }): Promise<string> {
  const em = app.orm.em.fork();
  // Tracked like a money movement, so a cached first history page is invalidated.
  const [t] = await app.services.track(() =>
    em.transactional((tx) => new TransactionRepository().insert(tx, [{ ...row, reference: row.reference ?? `test_${randomUUID()}` }])),
  );
  return t.id;
}

/**
 * A DATA_DIR for servers that stand in for one server restarted: they share the JWT keys
 * generated there, so access tokens stay valid across the "restart".
 */
export async function sharedDataDir(): Promise<{ env: { DATA_DIR: string }; remove(): Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'wallet-restart-'));
  return { env: { DATA_DIR: dir }, remove: () => rm(dir, { recursive: true, force: true }) };
}
