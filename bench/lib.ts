/**
 * What every bench module shares: settings from the command line and environment, child
 * processes (servers, autocannon runs), psql/pgbench, and the table row type.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const QUICK = process.argv.includes('--quick');
export const PG = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432';
export const REDIS = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
export const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
export const DURATION = QUICK ? 5 : 30;
export const WARMUP = QUICK ? 1 : 10;
export const SWC = ['--import', '@swc-node/register/esm-register'];
/** BENCH_ONLY=B1,B6 measures only those rows (the others print as not measured). */
export const ONLY = (process.env.BENCH_ONLY ?? '')
  .split(',')
  .map((s) => s.trim().toUpperCase())
  .filter(Boolean);
export const wanted = (...ids: string[]): boolean => ONLY.length === 0 || ids.some((id) => ONLY.includes(id));

const children: ChildProcess[] = [];
const STARTED = Date.now();
export const log = (msg: string): void =>
  void process.stderr.write(`[bench ${((Date.now() - STARTED) / 1000).toFixed(0).padStart(3)}s] ${msg}\n`);

export function psql(db: string, sql: string): string {
  return execFileSync('psql', [`${PG}/${db}`, '-v', 'ON_ERROR_STOP=1', '-tAc', sql], { encoding: 'utf8' }).trim();
}

export function freshDatabase(db: string): void {
  psql('postgres', `DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
  psql('postgres', `CREATE DATABASE ${db}`);
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/** Runs a node child to completion, returning the JSON after `marker` on its stdout. */
export function runNode<T>(args: string[], env: NodeJS.ProcessEnv, marker: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'inherit'] });
    children.push(child);
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code) => {
      const line = out.split('\n').find((l) => l.startsWith(`${marker} `));
      if (code !== 0 || !line) return reject(new Error(`${args.join(' ')} exited ${code}\n${out.slice(-2000)}`));
      try {
        resolve(JSON.parse(line.slice(marker.length + 1)) as T);
      } catch (err) {
        reject(err as Error); // the run stops its servers instead of crashing past them
      }
    });
  });
}

export async function waitFor(url: string, init?: RequestInit, timeoutMs = 60_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      const res = await fetch(url, init);
      if (res.ok) return;
    } catch {
      /* not up yet */
    }
    if (Date.now() > until) throw new Error(`${url} not ready after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** A long-running child (a server); stopped by stopAll() at the end of the run. */
export function startProcess(args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'inherit'] });
  children.push(child);
  return child;
}

export function stopAll(): void {
  for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
}

/** Waits for a child started with startProcess to exit (after SIGTERM). */
export function stopped(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

export interface LoadResult {
  rps: number;
  total: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  graphqlErrors: number;
  firstError?: string;
  /** Error answers by `extensions.code` (or HTTP status when there is none). */
  errorCodes?: Record<string, number>;
  /** Requests that touched the hot wallet (transfer.hot only). */
  hotRequests?: number;
  /** pacedRate only: answers slower than 25 / 50 ms, and the load process's own event-loop delay (ms). */
  over25ms?: number;
  over50ms?: number;
  generatorLoopDelayP99?: number;
  generatorLoopDelayMax?: number;
  /** With a warm-up in the same process: what it sent and how many of its answers were errors. */
  warmup?: { total: number; errors: number };
  /** With `cpuOf`: CPU per measured request. */
  cpu?: CpuSnapshot;
  /** When the measured run started (epoch ms, the load process's clock: the machine's, as PostgreSQL's). */
  startedAt?: number;
  /** Money flows only (`deposit`, `withdraw`): seconds until the last flow ended, and each step's latency. */
  took?: number;
  steps?: Record<string, { p50: number; p99: number }>;
}

let loadWorker: ChildProcess | undefined;
let loadBusy = false;

/**
 * One load run (see bench/load.ts's Job for the fields) in the load generator's own process,
 * started on first use and kept for the run (a new Node process per run cost about 0.8 s).
 */
export async function load(job: Record<string, unknown>, duration = DURATION): Promise<LoadResult> {
  if (loadBusy) throw new Error('load(): one run at a time');
  if (!loadWorker) {
    loadWorker = spawn(process.execPath, [...SWC, 'bench/load.ts'], {
      cwd: ROOT,
      env: process.env,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    children.push(loadWorker);
    loadWorker.once('exit', () => (loadWorker = undefined));
  }
  const worker = loadWorker;
  loadBusy = true;
  const r = await new Promise<LoadResult>((resolve, reject) => {
    const onMessage = (m: { result?: LoadResult; error?: string }) => {
      worker.off('exit', onExit);
      if (m.result) resolve(m.result);
      else reject(new Error(`load generator: ${m.error}`));
    };
    const onExit = (code: number | null) => {
      worker.off('message', onMessage);
      reject(new Error(`the load generator exited (${code})`));
    };
    worker.once('message', onMessage);
    worker.once('exit', onExit);
    worker.send({ connections: CONNECTIONS, duration, ...job });
  }).finally(() => (loadBusy = false));
  if (r.warmup?.errors) log(`warning: ${r.warmup.errors} error answers during the warm-up`);
  if (r.graphqlErrors || r.errors || r.non2xx)
    log(`warning: ${r.graphqlErrors} error answers, ${r.errors} socket errors, first: ${r.firstError}`);
  return r;
}

/** CPU time (ms) spent so far by our server, by PostgreSQL's and Redis's processes, and by the whole machine. */
export interface CpuSnapshot {
  server: number;
  postgres: number;
  redis: number;
  machine: number;
}

const TICK_MS = 10; // USER_HZ is 100 on Linux

/** utime + stime, plus (for PostgreSQL, whose backends exit when pgbench disconnects) what exited children used. */
function processCpuMs(pid: number, withChildren = false): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat
      .slice(stat.lastIndexOf(')') + 2)
      .split(' ')
      .map(Number);
    return (f[11] + f[12] + (withChildren ? f[13] + f[14] : 0)) * TICK_MS; // utime, stime, cutime, cstime
  } catch {
    return 0; // gone meanwhile
  }
}

function pidsByName(name: string): number[] {
  const pids: number[] = [];
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      if (readFileSync(`/proc/${pid}/comm`, 'utf8').trim().startsWith(name)) pids.push(Number(pid));
    } catch {
      /* gone meanwhile */
    }
  }
  return pids;
}

const cpuByName = (name: string): number => pidsByName(name).reduce((n, pid) => n + processCpuMs(pid, true), 0);

/**
 * Time (ms) a process's threads have spent runnable but waiting for a CPU: the second field
 * of /proc/<pid>/task/<tid>/schedstat (ns). Threads that ended meanwhile are not counted.
 */
function runQueueMs(pid: number | undefined): number {
  if (!pid) return 0;
  let ns = 0;
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      try {
        ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[1]);
      } catch {
        /* gone meanwhile */
      }
    }
  } catch {
    /* gone meanwhile */
  }
  return ns / 1e6;
}

/** Run-queue wait (ms) so far, by process: our server, PostgreSQL's and Redis's processes, the load generator. */
export interface RunQueueSnapshot {
  server: Map<number, number>;
  postgres: Map<number, number>;
  redis: Map<number, number>;
  load: Map<number, number>;
}

export function runQueueSnapshot(serverPid: number): RunQueueSnapshot {
  const of = (pids: number[]) => new Map(pids.map((pid) => [pid, runQueueMs(pid)]));
  return {
    server: of([serverPid]),
    postgres: of(pidsByName('postgres')),
    redis: of(pidsByName('redis-server')),
    load: of(loadWorker?.pid ? [loadWorker.pid] : []),
  };
}

/**
 * Run-queue wait per request between two snapshots, as text. A process that started in
 * between counts from zero; one that exited in between (an autovacuum worker) is missed.
 */
export function fmtRunQueue(before: RunQueueSnapshot, after: RunQueueSnapshot, requests: number): string {
  const per = (k: keyof RunQueueSnapshot) => {
    let ms = 0;
    for (const [pid, now] of after[k]) ms += now - (before[k].get(pid) ?? 0);
    return (ms / Math.max(1, requests)).toFixed(2);
  };
  return `server ${per('server')} ms, PostgreSQL ${per('postgres')} ms, Redis ${per('redis')} ms, load generator ${per('load')} ms`;
}

export function cpuSnapshot(serverPid?: number): CpuSnapshot {
  const [, ...ticks] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).map(Number);
  const idle = ticks[3] + ticks[4]; // idle, iowait
  return {
    server: serverPid ? processCpuMs(serverPid) : 0,
    postgres: cpuByName('postgres'),
    redis: cpuByName('redis-server'),
    machine: (ticks.slice(0, 8).reduce((a, b) => a + b, 0) - idle) * TICK_MS,
  };
}

/** CPU ms per request between two snapshots. */
export function cpuPerRequest(before: CpuSnapshot, after: CpuSnapshot, requests: number): CpuSnapshot {
  const per = (k: keyof CpuSnapshot) => (after[k] - before[k]) / Math.max(1, requests);
  return { server: per('server'), postgres: per('postgres'), redis: per('redis'), machine: per('machine') };
}

export const fmtCpu = (c: CpuSnapshot): string =>
  `CPU per request: server ${c.server.toFixed(2)} ms, PostgreSQL ${c.postgres.toFixed(2)} ms, Redis ${c.redis.toFixed(2)} ms, whole machine ${c.machine.toFixed(2)} ms`;

/** Warm-up (discarded), then the measured run, in one load process; the CPU each measured request cost. */
export async function measure(label: string, job: Record<string, unknown>, serverPid?: number): Promise<LoadResult & { cpu: CpuSnapshot }> {
  log(`${label}: warm-up ${WARMUP}s, measuring ${DURATION}s`);
  const r = await load({ ...job, warmup: WARMUP, cpuOf: serverPid ?? 0 });
  const cpu = r.cpu!;
  log(`${label}: ${r.rps.toFixed(0)} req/s, p50 ${r.p50} ms, p99 ${r.p99} ms; ${fmtCpu(cpu)}`);
  return { ...r, cpu };
}

export function pgbench(db: string, seconds: number, extra: string[] = []): { tps: number; raw: string; cpu: CpuSnapshot } {
  const before = cpuSnapshot();
  const raw = execFileSync(
    'pgbench',
    [
      '-M',
      'prepared',
      '-c',
      String(CONNECTIONS),
      '-j',
      String(Math.min(CONNECTIONS, os.cpus().length)),
      '-T',
      String(seconds),
      '-n',
      ...extra,
      `${PG}/${db}`,
    ],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const m = /tps = ([\d.]+)/.exec(raw);
  if (!m) throw new Error(`pgbench: no tps in\n${raw}`);
  const done = Number(/number of transactions actually processed: (\d+)/.exec(raw)?.[1] ?? 0);
  return { tps: Number(m[1]), raw, cpu: cpuPerRequest(before, cpuSnapshot(), done) };
}

export interface Row {
  id: string;
  what: string;
  ratio: number | null;
  goal: string;
  pass: boolean | null;
  raw: string;
}

export const row = (id: string, what: string, ratio: number, goal: string, pass: boolean, raw: string): Row => ({
  id,
  what,
  ratio,
  goal,
  pass,
  raw,
});
export const skipped = (id: string, what: string, goal: string, raw: string): Row => ({ id, what, ratio: null, goal, pass: null, raw });
/** A run whose every answer was a 200 without GraphQL errors: its rate measures the work, not failing fast. */
export const clean = (r: LoadResult): boolean => r.graphqlErrors + r.errors + r.non2xx === 0;
export const fmt = (r: LoadResult): string =>
  `${r.rps.toFixed(0)} req/s (p50 ${r.p50} ms, p99 ${r.p99} ms, ${r.total} req, ${r.graphqlErrors} errors)`;

/** What run.ts hands every row module. */
export interface BenchContext {
  /** Environment for our server processes (database, Redis prefix, raised limits, DATA_DIR). */
  env: NodeJS.ProcessEnv;
  /** Our built server, already up: http://127.0.0.1:<port>/graphql */
  ours: string;
  /** Its process id (for CPU accounting). */
  serverPid: number;
  /** The seeded data (bench/seed.ts). */
  seed: Seed;
  /** Figures one group measures and a later one divides by (e.g. transfersPerSecond for B2). */
  figures: Record<string, number>;
}

export interface Seed {
  seedMs: number;
  senders: { token: string; walletId: string }[];
  recipientEmails: string[];
  reader: { token: string; walletId: string };
  /** B12's users: a session and an empty NGN wallet each (none when B12 is not wanted). */
  depositors: { token: string; walletId: string }[];
  /** B13's users: a session and a funded NGN wallet each, apart from the senders (none when B13 is not wanted). */
  withdrawers: { token: string; walletId: string }[];
  b7: { one: number; fifty: number };
  transferSql: string[];
  /** The literal values of the captured transfer, which B2's pgbench script replaces with variables. */
  transferCapture: { userId: string; walletId: string; email: string; key: string };
}
