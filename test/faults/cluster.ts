import { execFileSync, spawn } from 'node:child_process';
import { chown, mkdtemp, rm, appendFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { cleanEnv, freePort, MAIN, spawnNode, tryConnect, waitForHttp, type Child } from '../process/child.js';

/**
 * What the fault suite owns and breaks: a PostgreSQL 15 of its own (initdb + pg_ctl in a temp
 * folder, on a free port) and the built API as a child process that can be SIGKILLed and started
 * again on the same port with the same data folder (so the JWT keys, and the clients' tokens,
 * survive). Its Redis is a PrivateRedis (test/support/private-redis.ts).
 */

const PG_BIN = process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin';

/** PostgreSQL refuses to run as root: there, its commands run as the `postgres` user. */
function pgUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
  return { uid, gid };
}

/** Runs a PostgreSQL program (as `postgres` when we are root) without blocking the event loop. */
function runPg(program: string, args: string[], timeoutMs = 60_000): Promise<string> {
  const user = pgUser();
  return new Promise((resolve, reject) => {
    const child = spawn(path.join(PG_BIN, program), args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(user ?? {}),
      // pg_ctl and initdb look at HOME/locale; keep them plain.
      env: { PATH: process.env.PATH, LANG: 'C', LC_ALL: 'C' },
    });
    let out = '';
    child.stdout!.setEncoding('utf8').on('data', (c: string) => (out += c));
    child.stderr!.setEncoding('utf8').on('data', (c: string) => (out += c));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`${program} ${args.join(' ')} failed (${code ?? signal}):\n${out}`));
    });
  });
}

export class OwnedPostgres {
  private constructor(
    readonly dir: string,
    readonly port: number,
  ) {}

  get dataDir(): string {
    return path.join(this.dir, 'data');
  }

  get logFile(): string {
    return path.join(this.dir, 'postgres.log');
  }

  /** The application's database. */
  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/wallet`;
  }

  /** initdb, start, `create database wallet`. */
  static async start(): Promise<OwnedPostgres> {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'wallet-faults-pg-'));
    const user = pgUser();
    if (user) await chown(dir, user.uid, user.gid);
    const db = new OwnedPostgres(dir, await freePort());
    await runPg('initdb', ['-D', db.dataDir, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync']);
    // TCP only, on our port; no Unix socket to collide with the machine's cluster. Durability
    // settings stay at their defaults: an immediate restart must keep every commit.
    await appendFile(
      path.join(db.dataDir, 'postgresql.conf'),
      [
        '',
        `port = ${db.port}`,
        `listen_addresses = '127.0.0.1'`,
        `unix_socket_directories = ''`,
        'max_connections = 100',
        'log_min_messages = warning',
        '',
      ].join('\n'),
    );
    await db.pgCtl('start');
    const admin = new pg.Client({ connectionString: `postgres://postgres@127.0.0.1:${db.port}/postgres` });
    await admin.connect();
    try {
      await admin.query('create database wallet');
    } finally {
      await admin.end();
    }
    return db;
  }

  private pgCtl(action: 'start' | 'restart' | 'stop', extra: string[] = []): Promise<string> {
    const args = [action, '-D', this.dataDir, '-w', '-t', '60', ...extra];
    if (action !== 'stop') args.push('-l', this.logFile);
    return runPg('pg_ctl', args);
  }

  /** A crash and a restart: `pg_ctl restart -m immediate` (no checkpoint; recovery replays the WAL). */
  async restartImmediate(): Promise<void> {
    await this.pgCtl('restart', ['-m', 'immediate']);
  }

  async stop(): Promise<void> {
    await this.pgCtl('stop', ['-m', 'immediate']).catch(() => undefined);
  }

  async destroy(): Promise<void> {
    await this.stop();
    await rm(this.dir, { recursive: true, force: true });
  }

  /** One statement on a connection of its own (the pool of the API is not ours to share). */
  async query<T extends pg.QueryResultRow = Record<string, string>>(text: string, params: unknown[] = []): Promise<T[]> {
    const client = new pg.Client({ connectionString: this.url, connectionTimeoutMillis: 3_000 });
    client.on('error', () => undefined);
    await client.connect();
    try {
      return (await client.query<T>(text, params)).rows;
    } finally {
      await client.end().catch(() => undefined);
    }
  }
}

/**
 * The built server (`node dist/src/main.js`) as a child process on a fixed port: `kill()` is
 * `kill -9`, `start()` brings a new process up on the same port and data folder.
 */
export class ApiProcess {
  child: Child | undefined;
  /** Every process this instance started (for their logs after a failure). */
  readonly started: Child[] = [];

  private constructor(
    readonly port: number,
    private readonly env: Record<string, string>,
  ) {}

  static async create(env: Record<string, string>): Promise<ApiProcess> {
    return new ApiProcess(await freePort(), env);
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get graphqlUrl(): string {
    return `${this.url}/graphql`;
  }

  /** Starts a process; resolves once /readyz answers 200 (PostgreSQL up, migrations ran). */
  async start(): Promise<void> {
    const child = spawnNode(MAIN, [], cleanEnv({ HOST: '127.0.0.1', PORT: String(this.port), ...this.env }));
    this.child = child;
    this.started.push(child);
    await waitForHttp(`${this.url}/readyz`, child, { timeoutMs: 60_000 });
  }

  /** `kill -9`: no shutdown hook runs, requests in flight are cut. */
  async kill(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child) return;
    child.process.kill('SIGKILL');
    await child.waitForExit(10_000);
    // The kernel has closed the listening socket with the process.
    if ((await tryConnect(this.port)) === 'connected') throw new Error(`port ${this.port} still answers after kill -9`);
  }

  /** The last lines each process wrote (for a failure message). */
  describe(): string {
    return this.started
      .map((c, i) => `--- api process ${i + 1} (pid ${c.pid}) ---\n${c.stdout().slice(-3000)}\n${c.stderr().slice(-2000)}`)
      .join('\n');
  }
}
