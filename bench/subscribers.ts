/**
 * The subscriber side of B8 and B10, in its own process (never in the server's): opens one
 * graphql-ws connection per seeded user against a server and prints one JSON line
 * (SUBS ...) with what it measured. Reads its job as JSON from argv[2], the users
 * (bench/subscriptions-seed.ts output) from the file the job names.
 *
 * mode "b8": every connection holds one subscription (users at an even index
 * `balanceUpdated`, odd `transactionUpdated`); this process then sends transfers between
 * those users through the GraphQL API at a fixed rate and matches every event that arrives
 * against the events the successful transfers must produce.
 *
 * mode "b10": reads the server's resident memory (/proc/<pid>/status VmRSS, after asking it
 * to collect garbage with SIGUSR2, see subscriptions.ts) with no connection, with N idle
 * connections, with one and with two subscriptions on each, and after closing them.
 */
import { readFileSync, statSync } from 'node:fs';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
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

const BALANCE = 'subscription B { balanceUpdated { id version balance { amount } } }';
const TRANSACTION = 'subscription T { transactionUpdated { id direction status amount { amount } reference } }';
const TRANSFER =
  'mutation T($input: TransferInput!) { transfer(input: $input) { transaction { id reference } wallet { id version } } }';

const job = JSON.parse(process.argv[2]) as SubscribersJob;
/** Transfers in flight at most (B8); at 100/s and ~50 ms a transfer about 5 are. */
const MAX_INFLIGHT = 64;
const seed = JSON.parse(readFileSync(job.usersFile, 'utf8')) as SubscriberSeed;
const users = seed.users;
const N = users.length;
const PREFIX = process.env.REDIS_KEY_PREFIX ?? 'wallet:';
const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
const log = (msg: string): void => void process.stderr.write(`[bench:subscribers] ${msg}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const now = () => performance.now();

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

// ---------------------------------------------------------------- connections

interface Conn {
  user: SubscriberUser;
  client: Client;
  /** Closed by the server (or failed) after it was open. */
  closedAfterOpen: boolean;
  closeInfo?: string;
}

let firstClose: string | undefined;
let disposing = false;

/** One graphql-ws connection (non-lazy: it opens now and stays open with no subscription). */
function connect(user: SubscriberUser): Promise<Conn> {
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
          else if (!disposing) {
            conn.closedAfterOpen = true;
            conn.closeInfo = info;
            firstClose ??= info;
          }
        },
      },
    });
  });
}

async function connectAll(): Promise<Conn[]> {
  const t0 = now();
  const conns = await pool(users, 64, (u) => connect(u));
  log(`${conns.length} connections open in ${(now() - t0).toFixed(0)} ms`);
  return conns;
}

const channel = (topic: 'balance' | 'transaction', userId: string) => `${PREFIX}events:${topic}:${userId}`;

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
async function waitChannels(channels: string[], listening: boolean, timeoutMs = 60_000): Promise<{ ok: number; ms: number }> {
  const t0 = now();
  for (;;) {
    const counts = await numsub(channels);
    const ok = counts.filter((n) => (listening ? n > 0 : n === 0)).length;
    if (ok === channels.length || now() - t0 > timeoutMs) return { ok, ms: Math.round(now() - t0) };
    await sleep(100);
  }
}

// ---------------------------------------------------------------- B8

interface Received {
  at: number;
  data: Record<string, unknown> | null;
  errors?: unknown;
}

interface Transfer {
  k: number;
  from: number;
  to: number;
  amount: number;
  scheduledAt: number;
  sentAt: number;
  respondedAt?: number;
  ok: boolean;
  reference?: string;
  error?: string;
}

async function b8(): Promise<Record<string, unknown>> {
  const rate = job.transfersPerSecond ?? 100;
  const warmup = Math.round((job.warmupSeconds ?? 3) * rate);
  const measured = Math.round((job.seconds ?? 8) * rate);
  const total = warmup + measured;
  const kinds = users.map((_, i) => (i % 2 === 0 ? 'balance' : 'transaction') as 'balance' | 'transaction');

  const conns = await connectAll();
  const received: Received[][] = users.map(() => []);
  let subscriptionErrors = 0;
  let firstSubscriptionError: string | undefined;
  conns.forEach((c, i) => {
    c.client.subscribe(
      { query: kinds[i] === 'balance' ? BALANCE : TRANSACTION },
      {
        next: (v) => received[i].push({ at: now(), data: (v.data ?? null) as Record<string, unknown> | null, errors: v.errors }),
        error: (e) => {
          subscriptionErrors++;
          firstSubscriptionError ??= JSON.stringify(e).slice(0, 300);
        },
        complete: () => undefined,
      },
    );
  });
  const channels = users.map((u, i) => channel(kinds[i], u.id));
  const ready = await waitChannels(channels, true);
  log(`${ready.ok} of ${N} subscriptions in place (Redis NUMSUB) after ${ready.ms} ms`);

  // Transfer k pairs two users; within a round of N/2 transfers every user takes part exactly
  // once, so one user's transfers are N/2 ÷ rate seconds apart (10 s at 2,000 users and 100/s)
  // and overlap only when the server falls that far behind.
  const perm = users.map((_, i) => i);
  let s = 0x9e3779b9;
  const rand = () => ((s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0) / 2 ** 32);
  for (let i = perm.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [perm[i], perm[j]] = [perm[j], perm[i]];
  }
  const transfers: Transfer[] = [];
  const inflight = new Set<Promise<void>>();
  const send = async (t: Transfer) => {
    const from = users[t.from];
    try {
      const res = await fetch(job.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${from.token}` },
        body: JSON.stringify({
          query: TRANSFER,
          variables: {
            input: { fromWalletId: from.walletId, recipientEmail: users[t.to].email, amount: String(t.amount), idempotencyKey: `b8-${t.k}-${Date.now()}` },
          },
        }),
        signal: AbortSignal.timeout(60_000),
      });
      const body = (await res.json()) as { data?: { transfer?: { transaction: { reference: string } } }; errors?: unknown[] };
      t.respondedAt = now();
      if (body.errors || !body.data?.transfer) t.error = JSON.stringify(body.errors ?? body).slice(0, 300);
      else {
        t.ok = true;
        t.reference = body.data.transfer.transaction.reference;
      }
    } catch (err) {
      t.respondedAt = now();
      const e = err as Error & { cause?: { code?: string; message?: string } };
      t.error = `${e.message}${e.cause ? ` (${e.cause.code ?? ''} ${e.cause.message ?? ''})` : ''}`;
    }
  };
  const t0 = now() + 50;
  let maxInflight = 0;
  // This process's own share: its CPU time and event-loop delay while it sends and listens.
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  const cpu0 = process.cpuUsage();
  const wall0 = now();
  for (let k = 0; k < total; k++) {
    const round = Math.floor((2 * k) / N);
    const pos = (2 * k) % N;
    const scheduledAt = t0 + (k * 1000) / rate;
    const wait = scheduledAt - now();
    if (wait > 0) await sleep(wait);
    // A server that cannot keep up makes the schedule slip (reported) instead of piling up requests.
    while (inflight.size >= MAX_INFLIGHT) await Promise.race(inflight);
    const t: Transfer = {
      k,
      from: perm[(pos + round) % N],
      to: perm[(pos + 1 + round) % N],
      amount: k + 1,
      scheduledAt,
      sentAt: now(),
      ok: false,
    };
    transfers.push(t);
    const p = send(t).finally(() => inflight.delete(p));
    inflight.add(p);
    maxInflight = Math.max(maxInflight, inflight.size);
  }
  const lastSent = now();
  await Promise.all(inflight);
  const lastResponse = now();

  // What must arrive: for every successful transfer, one event to each side's subscriber.
  const expectedBy: { k: number; side: 'DEBIT' | 'CREDIT'; balanceAfter: bigint }[][] = users.map(() => []);
  const balances = users.map(() => BigInt(seed.funded));
  for (const t of transfers) {
    if (!t.ok) continue;
    balances[t.from] -= BigInt(t.amount);
    balances[t.to] += BigInt(t.amount);
    expectedBy[t.from].push({ k: t.k, side: 'DEBIT', balanceAfter: balances[t.from] });
    expectedBy[t.to].push({ k: t.k, side: 'CREDIT', balanceAfter: balances[t.to] });
  }
  const expectedTotal = expectedBy.reduce((n, e) => n + e.length, 0);
  const drainUntil = now() + (job.drainMs ?? 10_000);
  while (received.reduce((n, r) => n + r.length, 0) < expectedTotal && now() < drainUntil) await sleep(50);
  const drained = now();
  loopDelay.disable();
  const cpu = process.cpuUsage(cpu0);
  const clientCpu = (cpu.user + cpu.system) / 1000 / (drained - wall0);
  await sleep(500); // late duplicates or strays
  const receivedTotal = received.reduce((n, r) => n + r.length, 0);

  // Match every event to the transfer it belongs to.
  const byK = new Map(transfers.map((t) => [t.k, t]));
  const delivered = new Map<number, number>(); // k -> events matched
  const latencies: number[] = []; // measured window: event arrival - mutation response arrival
  const sinceSent: number[] = [];
  let unexpected = 0;
  let duplicates = 0;
  let wrong: string | undefined;
  let laterState = 0;
  const deliver = (k: number, at: number) => {
    delivered.set(k, (delivered.get(k) ?? 0) + 1);
    const t = byK.get(k)!;
    if (t.k >= warmup) {
      latencies.push(at - t.respondedAt!);
      sinceSent.push(at - t.sentAt);
    }
  };
  const stray = (ev: Received) => {
    unexpected++;
    wrong ??= JSON.stringify(ev).slice(0, 300);
  };
  users.forEach((u, i) => {
    const expected = expectedBy[i];
    const matched = new Set<number>();
    if (kinds[i] === 'transaction') {
      // Exact: the reference is the movement's, the direction says which side.
      for (const ev of received[i]) {
        const tx = ev.data?.transactionUpdated as { reference: string; direction: string; status: string; amount: { amount: string } } | undefined;
        const hit = tx && expected.find((e) => byK.get(e.k)!.reference === tx.reference);
        if (!hit || tx.direction !== hit.side || tx.status !== 'COMPLETED' || tx.amount.amount !== String(byK.get(hit.k)!.amount)) stray(ev);
        else if (matched.has(hit.k)) duplicates++;
        else {
          matched.add(hit.k);
          deliver(hit.k, ev.at);
        }
      }
      return;
    }
    // balanceUpdated carries the wallet as it is when the event is resolved, not as the
    // transfer left it: first the events showing exactly the balance a transfer left, then
    // the rest (a later state: transfers of this user overlapped) in order, one per transfer.
    const rest: Received[] = [];
    for (const ev of received[i]) {
      const w = ev.data?.balanceUpdated as { id: string; balance: { amount: string } } | undefined;
      if (!w || w.id !== u.walletId) {
        stray(ev);
        continue;
      }
      const hit = expected.find((e) => !matched.has(e.k) && e.balanceAfter.toString() === w.balance.amount);
      if (!hit) rest.push(ev);
      else {
        matched.add(hit.k);
        deliver(hit.k, ev.at);
      }
    }
    for (const ev of rest) {
      const next = expected.find((e) => !matched.has(e.k));
      if (!next) duplicates++;
      else {
        laterState++;
        matched.add(next.k);
        deliver(next.k, ev.at);
      }
    }
  });
  latencies.sort((a, b) => a - b);
  sinceSent.sort((a, b) => a - b);

  const window = transfers.filter((t) => t.k >= warmup);
  const okWindow = window.filter((t) => t.ok);
  const expectedWindow = okWindow.length * 2;
  const deliveredWindow = okWindow.reduce((n, t) => n + (delivered.get(t.k) ?? 0), 0);
  const deliveredAll = [...delivered.values()].reduce((a, b) => a + b, 0);
  const transferLatency = okWindow.map((t) => t.respondedAt! - t.sentAt).sort((a, b) => a - b);
  const lag = window.map((t) => t.sentAt - t.scheduledAt).sort((a, b) => a - b);
  const windowStart = window[0]?.sentAt ?? lastSent;
  const windowResponses = window.map((t) => t.respondedAt ?? lastResponse);
  const windowSeconds = (Math.max(...windowResponses) - windowStart) / 1000;
  const failed = transfers.filter((t) => !t.ok);
  const closedBeforeEnd = conns.filter((c) => c.closedAfterOpen).length;

  disposing = true;
  await Promise.all(conns.map((c) => c.client.dispose()));
  return {
    subscribers: N,
    subscriptionsReady: ready.ok,
    readyMs: ready.ms,
    subscriptionErrors,
    firstSubscriptionError,
    closedByServer: closedBeforeEnd,
    firstClose,
    rate,
    warmupTransfers: warmup,
    measuredTransfers: measured,
    transfersOk: transfers.filter((t) => t.ok).length,
    transfersFailed: failed.length,
    firstTransferError: failed[0]?.error,
    windowOk: okWindow.length,
    windowSeconds,
    achievedTransfersPerSecond: okWindow.length / windowSeconds,
    expectedWindow,
    deliveredWindow,
    expectedAll: expectedTotal,
    deliveredAll,
    receivedTotal,
    unexpected,
    duplicates,
    laterState,
    firstUnexpected: wrong,
    maxInflightAllowed: MAX_INFLIGHT,
    clientCpu,
    // The histogram holds the whole timer interval: the delay is what exceeds its resolution.
    clientLoopDelayP99: Math.max(0, loopDelay.percentile(99) / 1e6 - 10),
    drainMs: Math.round(drained - lastResponse),
    sendSpanMs: Math.round(lastSent - t0),
    maxInflight,
    latency: {
      n: latencies.length,
      min: latencies[0],
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      max: latencies[latencies.length - 1],
      negative: latencies.filter((l) => l < 0).length,
    },
    sinceSent: { p50: percentile(sinceSent, 50), p99: percentile(sinceSent, 99) },
    transferLatency: { p50: percentile(transferLatency, 50), p99: percentile(transferLatency, 99) },
    scheduleLag: { p50: percentile(lag, 50), p99: percentile(lag, 99), max: lag[lag.length - 1] },
  };
}

// ---------------------------------------------------------------- B10

interface MemSample {
  rssKiB: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
  /** The individual VmRSS readings (KiB). */
  readings: number[];
}

function vmRss(pid: number): number {
  const m = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`no VmRSS for ${pid}`);
  return Number(m[1]);
}

/** Asks the server to collect garbage (SIGUSR2) and waits for its memoryUsage() answer. */
async function collect(pid: number, file: string): Promise<Record<string, number>> {
  const before = (() => {
    try {
      return statSync(file).mtimeMs;
    } catch {
      return 0;
    }
  })();
  const t0 = Date.now();
  process.kill(pid, 'SIGUSR2');
  for (;;) {
    try {
      const st = statSync(file);
      if (st.mtimeMs !== before && st.size > 0) {
        const parsed = JSON.parse(readFileSync(file, 'utf8')) as Record<string, number>;
        if (parsed.at >= t0) return parsed;
      }
    } catch {
      /* not written yet */
    }
    if (Date.now() - t0 > 10_000) throw new Error('the server did not answer SIGUSR2');
    await sleep(20);
  }
}

/** Settles, then job.readings readings (each after a forced GC in the server), the median kept. */
async function sampleMemory(label: string): Promise<MemSample> {
  const pid = job.serverPid!;
  await sleep(job.settleMs ?? 2_000);
  const readings: number[] = [];
  let usage: Record<string, number> = {};
  for (let i = 0; i < (job.readings ?? 5); i++) {
    usage = await collect(pid, job.memFile!);
    await sleep(200);
    readings.push(vmRss(pid));
  }
  const sorted = [...readings].sort((a, b) => a - b);
  const s: MemSample = {
    rssKiB: sorted[Math.floor(sorted.length / 2)],
    heapUsed: usage.heapUsed,
    heapTotal: usage.heapTotal,
    external: usage.external,
    arrayBuffers: usage.arrayBuffers,
    readings,
  };
  log(`${label}: VmRSS ${s.rssKiB} KiB (${readings.join(', ')}), heapUsed ${(s.heapUsed / 1024).toFixed(0)} KiB`);
  return s;
}

async function b10(): Promise<Record<string, unknown>> {
  const balanceChannels = users.map((u) => channel('balance', u.id));
  const transactionChannels = users.map((u) => channel('transaction', u.id));
  const subscribe = (c: Conn, query: string) =>
    c.client.subscribe({ query }, { next: () => undefined, error: () => undefined, complete: () => undefined });

  // Warm-up: the same path once (JIT, pools, maps sized), on a tenth of the users.
  {
    const few = users.slice(0, Math.max(1, Math.floor(N / 10)));
    const conns = await pool(few, 64, (u) => connect(u));
    conns.forEach((c) => subscribe(c, BALANCE));
    await waitChannels(few.map((u) => channel('balance', u.id)), true);
    disposing = true;
    await Promise.all(conns.map((c) => c.client.dispose()));
    await waitChannels(few.map((u) => channel('balance', u.id)), false);
    disposing = false;
  }

  const base = await sampleMemory('no connections');
  const conns = await connectAll();
  const idle = await sampleMemory(`${N} connections, no subscription`);
  conns.forEach((c) => subscribe(c, BALANCE));
  const one = await waitChannels(balanceChannels, true);
  const oneSub = await sampleMemory(`${N} connections, 1 subscription each (${one.ok} in place)`);
  conns.forEach((c) => subscribe(c, TRANSACTION));
  const two = await waitChannels(transactionChannels, true);
  const twoSubs = await sampleMemory(`${N} connections, 2 subscriptions each (${two.ok} in place)`);
  const closedByServer = conns.filter((c) => c.closedAfterOpen).length;
  disposing = true;
  await Promise.all(conns.map((c) => c.client.dispose()));
  const gone = await waitChannels([...balanceChannels, ...transactionChannels], false);
  const after = await sampleMemory('all closed again');
  return {
    subscribers: N,
    oneSubReady: one.ok,
    twoSubsReady: two.ok,
    closedByServer,
    firstClose,
    channelsGoneAfterClose: gone.ok,
    samples: { base, idle, oneSub, twoSubs, after },
  };
}

const result = job.mode === 'b8' ? await b8() : await b10();
await redis.quit();
process.stdout.write(`SUBS ${JSON.stringify(result)}\n`);
process.exit(0);
