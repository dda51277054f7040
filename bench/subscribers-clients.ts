/**
 * What both subscriber modes share (bench/subscribers.ts runs them): the job and the seeded
 * users, graphql-ws connections, and waiting on Redis PUBSUB NUMSUB for the server's
 * subscriptions to be in place.
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { createClient, type Client } from 'graphql-ws';
import { Redis } from 'ioredis';
import WebSocket from 'ws';
import type { SubscriberSeed, SubscriberUser } from './subscriptions-seed.js';
import { pool } from '../test/support/helpers.js';

export interface SubscribersJob {
  mode: 'b8' | 'b10';
  /** http://127.0.0.1:<port>/graphql */
  url: string;
  usersFile: string;
  /** b8: transfers per second, warm-up and measured seconds, how long to wait for stragglers. */
  transfersPerSecond?: number;
  warmupSeconds?: number;
  seconds?: number;
  drainMs?: number;
  /** b10: the server process and the file its SIGUSR2 handler writes process.memoryUsage() to. */
  serverPid?: number;
  memFile?: string;
  settleMs?: number;
  /** b10: VmRSS readings per state (the median is kept). */
  readings?: number;
}

export const BALANCE = 'subscription B { balanceUpdated { id version balance { amount } } }';
export const TRANSACTION = 'subscription T { transactionUpdated { id direction status amount { amount } reference } }';
export const TRANSFER =
  'mutation T($input: TransferInput!) { transfer(input: $input) { transaction { id reference } wallet { id version } } }';

export const job = JSON.parse(process.argv[2]) as SubscribersJob;
/** Transfers in flight at most (B8); at 100/s and ~50 ms a transfer about 5 are. */
export const MAX_INFLIGHT = 64;
export const seed = JSON.parse(readFileSync(job.usersFile, 'utf8')) as SubscriberSeed;
export const users = seed.users;
export const N = users.length;
const PREFIX = process.env.REDIS_KEY_PREFIX ?? 'wallet:';
export const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
export const log = (msg: string): void => void process.stderr.write(`[bench:subscribers] ${msg}\n`);
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
export const now = () => performance.now();

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

export interface Conn {
  user: SubscriberUser;
  client: Client;
  /** Closed by the server (or failed) after it was open. */
  closedAfterOpen: boolean;
  closeInfo?: string;
}

/** The first close by the server after a connection was open; whether we are closing them ourselves. */
export const state = { firstClose: undefined as string | undefined, disposing: false };

/** One graphql-ws connection (non-lazy: it opens now and stays open with no subscription). */
export function connect(user: SubscriberUser): Promise<Conn> {
  return new Promise((resolve, reject) => {
    let open = false;
    const conn: Conn = { user, client: undefined as unknown as Client, closedAfterOpen: false };
    conn.client = createClient({
      url: job.url.replace(/^http/, 'ws'),
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${user.token}` },
      lazy: false,
      retryAttempts: 0,
      keepAlive: 0,
      onNonLazyError: () => undefined,
      on: {
        connected: () => {
          open = true;
          resolve(conn);
        },
        closed: (event) => {
          const e = event as { code?: number; reason?: string };
          const info = `${e.code ?? '?'} ${e.reason ?? ''}`.trim();
          if (!open) reject(new Error(`connection refused: ${info}`));
          else if (!state.disposing) {
            conn.closedAfterOpen = true;
            conn.closeInfo = info;
            state.firstClose ??= info;
          }
        },
      },
    });
  });
}

export async function connectAll(): Promise<Conn[]> {
  const t0 = now();
  const conns = await pool(users, 64, (u) => connect(u));
  log(`${conns.length} connections open in ${(now() - t0).toFixed(0)} ms`);
  return conns;
}

export const channel = (topic: 'balance' | 'transaction', userId: string) => `${PREFIX}events:${topic}:${userId}`;

/** Redis PUBSUB NUMSUB for each channel (how many server connections to Redis listen on it). */
async function numsub(channels: string[]): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < channels.length; i += 500) {
    const reply = (await redis.call('PUBSUB', 'NUMSUB', ...channels.slice(i, i + 500))) as (string | number)[];
    for (let j = 1; j < reply.length; j += 2) out.push(Number(reply[j]));
  }
  return out;
}

/**
 * Waits until the server listens on every channel (`listening`) or on none (`!listening`):
 * the subscription is in place only once the server's SUBSCRIBE reached Redis.
 */
export async function waitChannels(channels: string[], listening: boolean, timeoutMs = 60_000): Promise<{ ok: number; ms: number }> {
  const t0 = now();
  for (;;) {
    const counts = await numsub(channels);
    const ok = counts.filter((n) => (listening ? n > 0 : n === 0)).length;
    if (ok === channels.length || now() - t0 > timeoutMs) return { ok, ms: Math.round(now() - t0) };
    await sleep(100);
  }
}
