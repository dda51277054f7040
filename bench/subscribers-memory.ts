/**
 * B10's subscriber side: reads the server's resident memory (/proc/<pid>/status VmRSS, after
 * asking it to collect garbage with SIGUSR2, see subscriptions.ts) with no connection, with
 * N idle connections, with one and with two subscriptions on each, and after closing them.
 */
import { readFileSync, statSync } from 'node:fs';
import {
  BALANCE,
  N,
  TRANSACTION,
  channel,
  connect,
  connectAll,
  job,
  log,
  sleep,
  state,
  users,
  waitChannels,
  type Conn,
} from './subscribers-clients.js';
import { pool } from '../test/support/helpers.js';

/** One state's memory: VmRSS median and the server's process.memoryUsage() after a forced GC. */
export interface MemSample {
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

export async function b10(): Promise<Record<string, unknown>> {
  const balanceChannels = users.map((u) => channel('balance', u.id));
  const transactionChannels = users.map((u) => channel('transaction', u.id));
  const subscribe = (c: Conn, query: string) =>
    c.client.subscribe({ query }, { next: () => undefined, error: () => undefined, complete: () => undefined });

  // Warm-up: the same path once (JIT, pools, maps sized), on a tenth of the users.
  {
    const few = users.slice(0, Math.max(1, Math.floor(N / 10)));
    const conns = await pool(few, 64, (u) => connect(u));
    conns.forEach((c) => subscribe(c, BALANCE));
    await waitChannels(
      few.map((u) => channel('balance', u.id)),
      true,
    );
    state.disposing = true;
    await Promise.all(conns.map((c) => c.client.dispose()));
    await waitChannels(
      few.map((u) => channel('balance', u.id)),
      false,
    );
    state.disposing = false;
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
  state.disposing = true;
  await Promise.all(conns.map((c) => c.client.dispose()));
  const gone = await waitChannels([...balanceChannels, ...transactionChannels], false);
  const after = await sampleMemory('all closed again');
  return {
    subscribers: N,
    oneSubReady: one.ok,
    twoSubsReady: two.ok,
    closedByServer,
    firstClose: state.firstClose,
    channelsGoneAfterClose: gone.ok,
    samples: { base, idle, oneSub, twoSubs, after },
  };
}
