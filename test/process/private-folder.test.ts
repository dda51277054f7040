import { existsSync } from 'node:fs';
import { copyFile, mkdtemp, readFile, rm, stat, symlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fallbackDirFor, PRIVATE_PROJECT_BASE } from '../../src/db/embedded-postgres-dir.js';
import { cleanEnv, ensureBuilt, freePort, ROOT, spawnNode, waitForHttp, type Child } from './child.js';

/**
 * `npm start` as root in a folder the `postgres` user cannot enter (a clone in /root, a
 * `mktemp -d` folder): the embedded PostgreSQL, which runs as that user, keeps its data in a
 * folder of the project's own under PRIVATE_PROJECT_BASE, and finds it again on the next start.
 */

const START_TIMEOUT_MS = 60_000;
const asRoot = process.getuid?.() === 0;

let home: string;
let fallback: string;
let pgPort: number;
let httpPort: number;
const children: Child[] = [];

async function stopStrayPostgres(dir: string): Promise<void> {
  const text = await readFile(path.join(dir, 'postmaster.pid'), 'utf8').catch(() => undefined);
  const pid = text ? Number(text.split('\n')[0]) : 0;
  if (!pid) return;
  try {
    process.kill(pid, 'SIGINT');
  } catch {
    return;
  }
  for (let i = 0; i < 50; i++) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The built server, run from the private folder as `npm start` would run it there. */
function start(env: Record<string, string> = {}): Child {
  const child = spawnNode(
    path.join(home, 'dist/src/main.js'),
    [],
    cleanEnv({ HOST: '127.0.0.1', PORT: String(httpPort), LOG_LEVEL: 'info', EMBEDDED_PG_PORT: String(pgPort), ...env }),
    { cwd: home },
  );
  children.push(child);
  return child;
}

async function stop(child: Child): Promise<void> {
  child.process.kill('SIGTERM');
  expect(await child.waitForExit(20_000), child.stderr()).toEqual({ code: 0, signal: null });
}

const messages = (child: Child) => child.logs.map((l) => String(l.msg));

describe.runIf(asRoot)('as root, from a folder the postgres user cannot enter', () => {
  beforeAll(async () => {
    ensureBuilt();
    // mktemp -d makes a 0700 folder: a clone's layout in it, the built server and packages linked.
    home = await mkdtemp(path.join(os.tmpdir(), 'wallet-private-'));
    await symlink(path.join(ROOT, 'dist'), path.join(home, 'dist'));
    await symlink(path.join(ROOT, 'node_modules'), path.join(home, 'node_modules'));
    await copyFile(path.join(ROOT, 'package.json'), path.join(home, 'package.json'));
    fallback = await fallbackDirFor(path.join(home, '.data', 'postgres'));
    pgPort = await freePort();
    httpPort = await freePort();
  });

  afterAll(async () => {
    for (const child of children) await child.kill();
    if (fallback) {
      await stopStrayPostgres(fallback);
      await rm(fallback, { recursive: true, force: true });
    }
    if (home) await rm(home, { recursive: true, force: true });
  });

  it('is a private folder', async () => {
    expect((await stat(home)).mode & 0o777).toBe(0o700);
    expect(path.dirname(fallback)).toBe(PRIVATE_PROJECT_BASE);
  });

  it('refuses an EMBEDDED_PG_DIR the postgres user cannot reach, saying why', async () => {
    const child = start({ EMBEDDED_PG_DIR: path.join(home, 'pg') });
    const exit = await child.waitForExit(START_TIMEOUT_MS);
    expect(exit.code).not.toBe(0);
    expect(child.stderr()).toMatch(/"postgres" user, which cannot enter .*Set EMBEDDED_PG_DIR/s);
    expect(existsSync(path.join(home, 'pg', 'PG_VERSION'))).toBe(false);
  }, START_TIMEOUT_MS + 10_000);

  it('without DATABASE_URL or EMBEDDED_PG_DIR: keeps the data under its own folder and reports ready', async () => {
    const child = start();
    const ready = await waitForHttp(`http://127.0.0.1:${httpPort}/readyz`, child, { timeoutMs: START_TIMEOUT_MS });
    expect(ready).toEqual({ status: 'ok', checks: { postgres: 'up', redis: 'up', redisEviction: 'noeviction' } });
    expect(messages(child).some((m) => m.includes(`cannot enter ${home}`) && m.includes(`kept in ${fallback}`))).toBe(true);
    expect(messages(child)).toContain(`Initialising the embedded PostgreSQL in ${fallback}`);
    expect(existsSync(path.join(fallback, 'PG_VERSION'))).toBe(true);
    expect(existsSync(path.join(home, '.data', 'postgres'))).toBe(false);
    await stop(child);
  }, START_TIMEOUT_MS + 30_000);

  it('uses the same folder on the next start, without initialising again', async () => {
    const child = start();
    const ready = await waitForHttp(`http://127.0.0.1:${httpPort}/readyz`, child, { timeoutMs: START_TIMEOUT_MS });
    expect(ready).toMatchObject({ status: 'ok' });
    expect(messages(child).some((m) => m.includes(`kept in ${fallback}`))).toBe(true);
    expect(messages(child).some((m) => m.startsWith('Initialising the embedded PostgreSQL'))).toBe(false);
    expect(messages(child).some((m) => m.includes(`(data in ${fallback})`))).toBe(true);
    await stop(child);
  }, START_TIMEOUT_MS + 30_000);
});

