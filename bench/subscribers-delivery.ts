/**
 * B8's subscriber side: every connection holds one subscription (users at an even index
 * `balanceUpdated`, odd `transactionUpdated`); this process then sends transfers between
 * those users through the GraphQL API at a fixed rate and matches every event that arrives
 * against the events the successful transfers must produce.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import {
  BALANCE,
  MAX_INFLIGHT,
  N,
  TRANSACTION,
  TRANSFER,
  connectAll,
  channel,
  job,
  log,
  now,
  percentile,
  seed,
  sleep,
  state,
  users,
  waitChannels,
} from './subscribers-clients.js';

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

export async function b8(): Promise<Record<string, unknown>> {
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
  const rand = () => (s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0) / 2 ** 32;
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
            input: {
              fromWalletId: from.walletId,
              recipientEmail: users[t.to].email,
              amount: String(t.amount),
              idempotencyKey: `b8-${t.k}-${Date.now()}`,
            },
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
        const tx = ev.data?.transactionUpdated as
          { reference: string; direction: string; status: string; amount: { amount: string } } | undefined;
        const hit = tx && expected.find((e) => byK.get(e.k)!.reference === tx.reference);
        if (!hit || tx.direction !== hit.side || tx.status !== 'COMPLETED' || tx.amount.amount !== String(byK.get(hit.k)!.amount))
          stray(ev);
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

  state.disposing = true;
  await Promise.all(conns.map((c) => c.client.dispose()));
  return {
    subscribers: N,
    subscriptionsReady: ready.ok,
    readyMs: ready.ms,
    subscriptionErrors,
    firstSubscriptionError,
    closedByServer: closedBeforeEnd,
    firstClose: state.firstClose,
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
