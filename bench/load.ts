/**
 * The load generator, in its own process (started once by lib.ts's load(), kept for the run):
 * takes each job as an IPC message and answers with req/s, latencies and the error answers by
 * code. Jobs come one at a time.
 *
 * - By default autocannon, closed loop: each connection sends its next request as soon as the
 *   answer to the last one arrived.
 * - `overallRate`: autocannon capped at that many requests/s across all connections. Note how
 *   autocannon 8 caps: every connection sends its share of the second back to back as soon as
 *   the second starts, then waits for the next one, so the server sees bursts at full
 *   concurrency rather than an even rate; and its coordinated-omission correction uses
 *   `ceil(1 / rate)` (= 1 ms) as the expected interval, filling in fake samples from 1 ms up to
 *   every latency, so it is turned off here (`ignoreCoordinatedOmission`).
 * - `pacedRate`: not autocannon: requests start evenly spaced at that many per second over
 *   node:http keep-alive (at most `connections` sockets; requests beyond wait for a free one),
 *   open loop, each latency counted from when the request was due, so a stalled server
 *   cannot hide its stall by slowing the sender down.
 *
 * - `deposit` / `withdraw`: not autocannon: money flows (see `flows`), each of `connections`
 *   clients over node:http keep-alive running one flow after another, closed loop.
 *
 * `transfer` sends a transfer mutation per request: senders round-robin, a fresh idempotency
 * key, amount 1, a random recipient; with `hot`, a share of the requests touch one hot wallet
 * (see HotWallet).
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import autocannon from 'autocannon';
import { cpuPerRequest, cpuSnapshot, type LoadResult } from './lib.js';

interface Sender {
  token: string;
  walletId: string;
}

/**
 * `share` of the requests touch the hot wallet, the wallet of `senders[index]`: every other
 * sender sends to it (`email`); when the hot wallet's own turn comes, it sends to one of the
 * other senders (`otherEmails`), so transfers in both directions between the hot wallet and
 * the same wallets are in flight together (what lock ordering must survive). The rest are
 * uniform, as without `hot`.
 */
interface HotWallet {
  share: number;
  index: number;
  email: string;
  otherEmails: string[];
}

interface Job {
  url: string;
  connections: number;
  duration: number;
  body?: string;
  headers?: Record<string, string>;
  /** autocannon's overallRate (requests/s over all connections); see the note above. */
  overallRate?: number;
  /** Evenly spaced, open loop, without autocannon (requests/s); see the note above. */
  pacedRate?: number;
  transfer?: { senders: Sender[]; recipientEmails: string[]; hot?: HotWallet };
  /** A deposit per flow: the `deposit` mutation, then a JSON POST paying its sandbox checkout URL. */
  deposit?: { users: Sender[]; amount: string };
  /** A withdrawal per flow: the `withdraw` mutation (hold and payout; settled later by the payments job). */
  withdraw?: { users: Sender[]; amount: string; bankCode: string; accountNumber: string };
  /** Seconds of the same load first, not counted (the result says how many requests it sent). */
  warmup?: number;
  /** CPU per measured request: our server's pid (0: none), PostgreSQL, Redis, the machine. */
  cpuOf?: number;
}

/** What one job answers (lib.ts's load() receives it). */
type Result = LoadResult & { errorCodes: Record<string, number> };

let job: Job;
const TRANSFER = 'mutation T($input: TransferInput!) { transfer(input: $input) { transaction { id } } }';
const DEPOSIT = 'mutation D($input: DepositInput!) { deposit(input: $input) { checkoutUrl } }';
const WITHDRAW = 'mutation W($input: WithdrawInput!) { withdraw(input: $input) { transaction { id } } }';
let next = 0;
/** What the answers of the current run held (reset for each job and after its warm-up). */
const nothingSeen = () => ({
  hotRequests: 0,
  graphqlErrors: 0,
  firstError: undefined as string | undefined,
  errorCodes: {} as Record<string, number>,
});
let seen = nothingSeen();
/** What the answers of the current run held, as a result reports it. */
const answersSeen = () => ({ graphqlErrors: seen.graphqlErrors, firstError: seen.firstError, errorCodes: seen.errorCodes });
const pick = <T>(xs: T[]): T => xs[Math.floor(Math.random() * xs.length)];

/** The next transfer: who sends it and its body. */
function nextTransfer(t: NonNullable<Job['transfer']>): { token: string; body: string } {
  const i = next++ % t.senders.length;
  const s = t.senders[i];
  let to: string;
  if (t.hot && Math.random() < t.hot.share) {
    to = i === t.hot.index ? pick(t.hot.otherEmails) : t.hot.email;
  } else {
    to = pick(t.recipientEmails);
  }
  if (t.hot && (i === t.hot.index || to === t.hot.email)) seen.hotRequests++;
  const body = JSON.stringify({
    query: TRANSFER,
    variables: { input: { fromWalletId: s.walletId, recipientEmail: to, amount: '1', idempotencyKey: randomUUID() } },
  });
  return { token: s.token, body };
}

/** Counts an error answer by its code; true for a 200 without GraphQL errors. */
function onAnswer(status: number, body: string): boolean {
  if (status === 200 && !body.includes('"errors"')) return true;
  let code = `HTTP ${status}`;
  try {
    const parsed = JSON.parse(body) as { errors?: { message?: string; extensions?: { code?: string } }[] };
    code = parsed.errors?.[0]?.extensions?.code ?? code;
  } catch {
    /* not JSON */
  }
  countError(code, `${status} ${body.slice(0, 300)}`);
  return false;
}

function countError(code: string, first: string): void {
  seen.graphqlErrors++;
  seen.firstError ??= first;
  seen.errorCodes[code] = (seen.errorCodes[code] ?? 0) + 1;
}

/** One POST over a keep-alive agent: its status and body. */
function post(agent: http.Agent, url: URL, headers: Record<string, string>, body: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        agent,
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

async function withAutocannon(seconds: number): Promise<Result> {
  const opts: autocannon.Options = {
    url: job.url,
    connections: job.connections,
    duration: seconds,
    method: 'POST',
    headers: { 'content-type': 'application/json', ...job.headers },
    body: job.body,
  };
  if (job.overallRate) {
    opts.overallRate = Math.max(1, Math.round(job.overallRate));
    opts.ignoreCoordinatedOmission = true;
  }
  const t = job.transfer;
  opts.requests = [
    {
      ...(t && {
        setupRequest: (req: autocannon.Request) => {
          const { token, body } = nextTransfer(t);
          return { ...req, headers: { ...req.headers, authorization: `Bearer ${token}` }, body };
        },
      }),
      onResponse: (status: number, body: string) => onAnswer(status, body),
    },
  ];
  const r = await autocannon(opts);
  return {
    rps: r.requests.average,
    total: r.requests.total,
    p50: r.latency.p50,
    p99: r.latency.p99,
    non2xx: r.non2xx,
    errors: r.errors,
    timeouts: r.timeouts,
    ...answersSeen(),
  };
}

async function paced(rate: number, seconds: number): Promise<Result> {
  const url = new URL(job.url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: job.connections });
  const latencies: number[] = [];
  let errors = 0;
  let non2xx = 0;
  const interval = 1000 / rate;
  // This process's own stalls delay requests too (latency is counted from when each was due).
  const loopDelay = monitorEventLoopDelay({ resolution: 1 });
  loopDelay.enable();
  const start = performance.now();
  const end = start + seconds * 1000;
  const inFlight = new Set<Promise<void>>();
  for (let i = 0; ; i++) {
    const due = start + i * interval;
    if (due >= end) break;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    let headers = job.headers ?? {};
    let body = job.body ?? '';
    if (job.transfer) {
      const t = nextTransfer(job.transfer);
      headers = { ...headers, authorization: `Bearer ${t.token}` };
      body = t.body;
    }
    const p = post(agent, url, headers, body).then(
      ({ status, text }) => {
        latencies.push(performance.now() - due);
        if (status < 200 || status > 299) non2xx++;
        onAnswer(status, text);
      },
      () => void errors++,
    );
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p));
  }
  await Promise.all(inFlight);
  const took = (performance.now() - start) / 1000;
  agent.destroy();
  loopDelay.disable();
  latencies.sort((a, b) => a - b);
  const at = (q: number) => quantile(latencies, q);
  const over = (ms: number) => latencies.filter((l) => l > ms).length;
  return {
    rps: latencies.length / took,
    total: latencies.length,
    p50: at(0.5),
    p99: at(0.99),
    non2xx,
    errors,
    timeouts: 0,
    ...answersSeen(),
    over25ms: over(25),
    over50ms: over(50),
    generatorLoopDelayP99: Math.round(loopDelay.percentile(99) / 1e4) / 100,
    generatorLoopDelayMax: Math.round(loopDelay.max / 1e4) / 100,
  };
}

/** The q-quantile of sorted latencies (ms, one decimal). */
const quantile = (sorted: number[], q: number): number =>
  sorted.length ? Math.round(sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)] * 10) / 10 : 0;

/**
 * `deposit` / `withdraw`: `connections` clients, each running one flow after another as soon
 * as its last one ended (closed loop, like autocannon's connections), users round-robin, a
 * fresh idempotency key per flow. A deposit is its mutation, then a POST of
 * `{"outcome":"success"}` as JSON to the checkout URL it answered (the sandbox then delivers
 * the signed webhook in-process and answers `{"outcome":"DEPOSIT_CREDITED"}`); a withdrawal
 * is its mutation. A flow counts once its last step answered successfully; a failed step ends
 * the flow and is counted by code (a checkout's by its `outcome`). Flows still running at the
 * end are awaited, so nothing of one run spills into the next; the rate divides by the time
 * until the last one ended. Latencies are per flow, with each step's own in `steps`.
 */
async function flows(seconds: number): Promise<Result> {
  const url = new URL(job.url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: job.connections });
  const users = (job.deposit ?? job.withdraw)!.users;
  const latencies: number[] = [];
  const stepTimes: Record<string, number[]> = {};
  let failed = 0;
  let errors = 0;
  let non2xx = 0;
  const step = async (name: string, target: URL, headers: Record<string, string>, body: string) => {
    const t0 = performance.now();
    const r = await post(agent, target, headers, body);
    (stepTimes[name] ??= []).push(performance.now() - t0);
    if (r.status < 200 || r.status > 299) non2xx++;
    return r;
  };
  const flow = async (): Promise<boolean> => {
    const u = users[next++ % users.length];
    const auth = { authorization: `Bearer ${u.token}` };
    const idempotencyKey = randomUUID();
    if (job.withdraw) {
      const { amount, bankCode, accountNumber } = job.withdraw;
      const input = { walletId: u.walletId, amount, bankCode, accountNumber, idempotencyKey };
      const r = await step('withdraw', url, auth, JSON.stringify({ query: WITHDRAW, variables: { input } }));
      return onAnswer(r.status, r.text);
    }
    const input = { walletId: u.walletId, amount: job.deposit!.amount, idempotencyKey };
    const r = await step('deposit', url, auth, JSON.stringify({ query: DEPOSIT, variables: { input } }));
    if (!onAnswer(r.status, r.text)) return false;
    const { checkoutUrl } = (JSON.parse(r.text) as { data: { deposit: { checkoutUrl: string } } }).data.deposit;
    const c = await step('checkout', new URL(checkoutUrl), {}, JSON.stringify({ outcome: 'success' }));
    let outcome: string | undefined;
    try {
      outcome = (JSON.parse(c.text) as { outcome?: string }).outcome;
    } catch {
      /* not JSON */
    }
    if (c.status === 200 && outcome === 'DEPOSIT_CREDITED') return true;
    countError(`checkout ${outcome ?? `HTTP ${c.status}`}`, `checkout ${c.status} ${c.text.slice(0, 300)}`);
    return false;
  };
  const start = performance.now();
  const end = start + seconds * 1000;
  await Promise.all(
    Array.from({ length: job.connections }, async () => {
      while (performance.now() < end) {
        const t0 = performance.now();
        try {
          if (await flow()) latencies.push(performance.now() - t0);
          else failed++;
        } catch (err) {
          errors++;
          seen.firstError ??= String(err);
        }
      }
    }),
  );
  const took = (performance.now() - start) / 1000;
  agent.destroy();
  const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
  const byLatency = sorted(latencies);
  const steps = Object.fromEntries(
    Object.entries(stepTimes).map(([name, times]) => {
      const s = sorted(times);
      return [name, { p50: quantile(s, 0.5), p99: quantile(s, 0.99) }];
    }),
  );
  return {
    rps: latencies.length / took,
    total: latencies.length + failed + errors,
    p50: quantile(byLatency, 0.5),
    p99: quantile(byLatency, 0.99),
    non2xx,
    errors,
    timeouts: 0,
    ...answersSeen(),
    steps,
    took,
  };
}

const run = (seconds: number): Promise<Result> =>
  job.deposit || job.withdraw ? flows(seconds) : job.pacedRate ? paced(job.pacedRate, seconds) : withAutocannon(seconds);

async function runJob(): Promise<Result> {
  seen = nothingSeen();
  let warmup: { total: number; errors: number } | undefined;
  if (job.warmup) {
    const w = await run(job.warmup);
    warmup = { total: w.total, errors: w.graphqlErrors + w.errors + w.non2xx };
    seen = nothingSeen();
  }
  // Taken here, not by the parent: the measured run starts right after the warm-up.
  const before = job.cpuOf === undefined ? undefined : cpuSnapshot(job.cpuOf);
  const startedAt = Date.now();
  const result: Result = { ...(await run(job.duration)), warmup, startedAt };
  if (before) result.cpu = cpuPerRequest(before, cpuSnapshot(job.cpuOf), result.total);
  if (job.transfer?.hot) result.hotRequests = seen.hotRequests;
  return result;
}

process.on('message', (message: Job) => {
  job = message;
  runJob().then(
    (result) => process.send!({ result }),
    (err: Error) => process.send!({ error: err.stack ?? String(err) }),
  );
});
// The bench ended (or died): nothing more will come.
process.on('disconnect', () => process.exit(0));
