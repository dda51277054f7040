import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print, type FormattedExecutionResult } from 'graphql';

/**
 * Helpers for tests that run the built server (or a CLI) as a separate process, the way
 * `npm start` does, and read its JSON log lines.
 */

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const MAIN = path.join(ROOT, 'dist/src/main.js');

/**
 * Brings dist/ up to date with the sources the way `npm start` does (swc, incremental: a
 * moment when nothing changed), so a bare `vitest run` never runs a stale or missing build.
 */
export function ensureBuilt(): void {
  execFileSync(process.execPath, [path.join(ROOT, 'scripts/transpile.mjs')], { cwd: ROOT, stdio: 'inherit', timeout: 120_000 });
  if (!existsSync(MAIN)) throw new Error(`${MAIN} missing after scripts/transpile.mjs`);
}

/** A port nobody listens on right now (the kernel's choice for port 0). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/** Resolves with the connection error code (ECONNREFUSED...), or 'connected'. */
export function tryConnect(port: number, host = '127.0.0.1', timeoutMs = 2_000): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host });
    const done = (result: string) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(() => done('timeout'), timeoutMs);
    socket.once('connect', () => done('connected'));
    socket.once('error', (err: NodeJS.ErrnoException) => done(err.code ?? err.message));
  });
}

/** Every variable the server reads (and vitest's own), so the child sees only what a test gives it. */
const SERVER_VARIABLES =
  /^(NODE_ENV|PORT|HOST|PUBLIC_URL|LOG_LEVEL|TRUST_PROXY|CORS_ORIGINS|DATA_DIR|DATABASE_.*|EMBEDDED_PG_.*|REDIS_.*|JWT_.*|RATE_LIMIT_.*|GRAPHQL_.*|BODY_LIMIT_.*|SHUTDOWN_.*|PAYMENT_.*|CARD_.*|PAYSTACK_.*|STRIPE_.*|FLUTTERWAVE_.*|SANDBOX_.*|SMTP_.*|MAIL_.*|EMAIL_.*|WEB_APP_.*|PASSWORD_RESET_.*|VITEST.*)$/;

export function cleanEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const base: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!SERVER_VARIABLES.test(key)) base[key] = value;
  }
  return { ...base, ...env };
}

export interface LogLine {
  level?: number;
  msg?: string;
  [key: string]: unknown;
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface Child {
  process: ChildProcess;
  pid: number;
  /** Parsed JSON lines of stdout (lines that are not JSON are kept as `{ msg: <line> }`). */
  logs: LogLine[];
  stdout(): string;
  stderr(): string;
  exited: Promise<Exit>;
  /** Resolves once `count` log lines match, or rejects after `timeoutMs` with what was seen. */
  waitForLogs(match: (line: LogLine) => boolean, count?: number, timeoutMs?: number): Promise<LogLine[]>;
  /** Resolves with the exit, or rejects after `timeoutMs`. */
  waitForExit(timeoutMs?: number): Promise<Exit>;
  /** SIGKILL if still running (for afterAll). */
  kill(): Promise<void>;
}

export function spawnNode(script: string, args: string[], env: NodeJS.ProcessEnv, opts: { cwd?: string } = {}): Child {
  const child = spawn(process.execPath, ['--enable-source-maps', script, ...args], {
    cwd: opts.cwd ?? ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: LogLine[] = [];
  let out = '';
  let err = '';
  let partial = '';
  const waiters = new Set<() => void>();
  const notify = () => {
    for (const w of waiters) w();
  };
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    out += chunk;
    partial += chunk;
    const lines = partial.split('\n');
    partial = lines.pop()!;
    for (const line of lines) {
      if (!line.trim()) continue;
      try {
        logs.push(JSON.parse(line) as LogLine);
      } catch {
        logs.push({ msg: line });
      }
    }
    notify();
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    err += chunk;
  });
  let exit: Exit | undefined;
  const exited = new Promise<Exit>((resolve) => {
    child.once('exit', (code, signal) => {
      exit = { code, signal };
      resolve(exit);
      notify();
    });
  });
  const describe = () =>
    `\n--- stdout ---\n${out.slice(-4000)}\n--- stderr ---\n${err.slice(-4000)}\n--- exit: ${JSON.stringify(exit ?? null)}`;

  return {
    process: child,
    pid: child.pid!,
    logs,
    stdout: () => out,
    stderr: () => err,
    exited,
    waitForLogs(match, count = 1, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = logs.filter(match);
          if (found.length >= count) {
            finish();
            resolve(found);
          } else if (exit) {
            finish();
            reject(new Error(`process exited before ${count} matching log line(s) appeared${describe()}`));
          }
        };
        const timer = setTimeout(() => {
          finish();
          reject(new Error(`timed out after ${timeoutMs} ms waiting for ${count} matching log line(s)${describe()}`));
        }, timeoutMs);
        const finish = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
    waitForExit(timeoutMs = 15_000) {
      let timer: NodeJS.Timeout;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`process still running after ${timeoutMs} ms${describe()}`)), timeoutMs);
      });
      return Promise.race([exited, timeout]).finally(() => clearTimeout(timer));
    },
    async kill() {
      if (exit) return;
      child.kill('SIGKILL');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5_000))]);
    },
  };
}

/** Polls `GET url` until it answers `status` (bounded by `timeoutMs`); returns the last JSON body. */
export async function waitForHttp(
  url: string,
  child: Child,
  { status = 200, timeoutMs = 60_000 }: { status?: number; timeoutMs?: number } = {},
): Promise<unknown> {
  const deadline = Date.now() + timeoutMs;
  let last: string;
  for (;;) {
    const exit = await Promise.race([child.exited, new Promise<undefined>((r) => setTimeout(() => r(undefined), 0))]);
    if (exit) throw new Error(`server exited (${JSON.stringify(exit)}) while waiting for ${url}\n${child.stdout()}\n${child.stderr()}`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      const text = await res.text();
      last = `${res.status} ${text}`;
      if (res.status === status) return JSON.parse(text);
    } catch (err) {
      last = (err as Error).message;
    }
    if (Date.now() > deadline) {
      throw new Error(`${url} did not answer ${status} within ${timeoutMs} ms (last: ${last})\n${child.stdout()}\n${child.stderr()}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

export interface HttpResult<R> extends FormattedExecutionResult<R> {
  status: number;
}

/** One typed operation over HTTP, as a client would send it. */
export async function gql<R, V>(
  graphqlUrl: string,
  doc: TypedDocumentNode<R, V>,
  variables?: V,
  token?: string,
): Promise<HttpResult<R>> {
  const res = await fetch(graphqlUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query: print(doc), variables }),
    signal: AbortSignal.timeout(15_000),
  });
  const text = await res.text();
  let json: FormattedExecutionResult<R>;
  try {
    json = JSON.parse(text) as FormattedExecutionResult<R>;
  } catch (err) {
    throw new Error(`not a JSON answer (${res.status}): ${text.slice(0, 500)}`, { cause: err });
  }
  return { ...json, status: res.status };
}
