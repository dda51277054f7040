/**
 * B12, B13: money in and out through the payment provider (the built-in sandbox), each ÷ the
 * transfer rate with the same 50 clients in the same run (one transfer measurement, shared).
 * B14: our server's CPU per transfer ÷ per authenticated `{ __typename }`, from what the read
 * rows (run.ts) and the transfer rows (transfers.ts) measured before this group runs. Order:
 * transfers with 50 clients, deposits, withdrawals and their settlement, then the rows.
 *
 * - B12: deposits/s. A deposit is the `deposit` mutation, then a JSON POST of
 *   `{"outcome":"success"}` to the checkout URL it answered; the sandbox marks its own record
 *   paid and hands the signed webhook to the webhook handler in-process, which verifies it
 *   with the provider and credits the wallet, and the POST answers
 *   `{"outcome":"DEPOSIT_CREDITED"}` (bench/load.ts `deposit`). A deposit counts once that
 *   answer came. Afterwards the database must show every deposit paid at the sandbox
 *   (sandbox_payments SUCCEEDED) with its payment SUCCEEDED, its transaction COMPLETED, as
 *   many as the clients saw paid, and the wallets' credits equal to their sum; else the row fails.
 * - B13: withdrawals settled/s. A withdrawal is the `withdraw` mutation (bench/load.ts
 *   `withdraw`: sandbox bank '001', a 10-digit account the sandbox pays): the amount is held
 *   and the payout sent. The payments job (src/domain/payments/payment-recovery.ts, every
 *   PAYMENTS_JOB_INTERVAL_MS) settles it: it asks the sandbox, which pays at once with
 *   SANDBOX_PAYOUT_DELAY_MS=0 (run.ts), and posts the hold. After the load, the row waits (at
 *   most SETTLE_TIMEOUT_MS) until every withdrawal of the run is SUCCEEDED with its
 *   transaction COMPLETED; rate = withdrawals the measured run started (payments created
 *   since its start) ÷ seconds from its start to the last one's settlement (payments.updated_at,
 *   which settling writes last). The raw column also gives the mutations' own rate, how many
 *   were still PENDING when the load ended and how long settling took after each mutation.
 *   PAYMENTS_JOB_INTERVAL_MS stays at its default (1 s): the job runs again at once while it
 *   finds payments due, so it only waits for its next tick once it has settled them all;
 *   settling is bound by the job working through them one at a time, not by the interval.
 * - B14: server CPU ms per uniform transfer (B1's run, BENCH_CONNECTIONS) ÷ server CPU ms per
 *   `{ __typename }` with a bearer token (B4/B5's run), both from /proc over the measured
 *   seconds (lib.ts cpuPerRequest).
 *
 * Each flow's users are seeded apart from B1's senders (bench/seed.ts): 100 depositors with an
 * empty NGN wallet, 100 funded withdrawers, each with a session; the 50 clients go round-robin
 * over them. Every flow uses a fresh idempotency key. Any error answer fails its row. The
 * flows' clients are bench/load.ts's own closed loop over node:http (a deposit is two requests,
 * the second built from the first's answer); the transfers are autocannon's, as for B1.
 */
import {
  CONNECTIONS,
  DURATION,
  clean,
  fmt,
  log,
  measure,
  psql,
  row,
  skipped,
  wanted,
  type BenchContext,
  type CpuSnapshot,
  type LoadResult,
  type Row,
} from './lib.js';
import { errorSummary } from './transfers.js';

/** Clients for B12 and B13 and their transfer baseline (the bench's default is 10). */
export const FLOW_CONNECTIONS = 50;
/** Minor units per deposit and per withdrawal (1 NGN). */
const AMOUNT = '100';
/** The sandbox's first bank and an account it pays ('0000000000' is the one it refuses). */
const BANK_CODE = '001';
const ACCOUNT_NUMBER = '0123456789';
/** How long B13 waits after the load for the last withdrawal to settle. */
const SETTLE_TIMEOUT_MS = 60_000;
const POLL_MS = 100;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const dbOf = (ctx: BenchContext): string => new URL(ctx.env.DATABASE_URL!).pathname.slice(1);
/** The wallets as an SQL list (uuids only, so safe to inline). */
const idList = (users: { walletId: string }[]): string => users.map((u) => `'${u.walletId.replace(/'/g, '')}'`).join(', ');
const steps = (r: LoadResult): string =>
  Object.entries(r.steps ?? {})
    .map(([name, s]) => `${name} p50 ${s.p50} ms, p99 ${s.p99} ms`)
    .join('; ');
const serverCpu = (c: CpuSnapshot): string => `server ${c.server.toFixed(2)} ms, PostgreSQL ${c.postgres.toFixed(2)} ms`;

export async function moneyFlowRows(ctx: BenchContext): Promise<Row[]> {
  const rows: Row[] = [];
  if (wanted('B12', 'B13')) {
    const transfer = { senders: ctx.seed.senders, recipientEmails: ctx.seed.recipientEmails };
    const transfers = await measure(
      `B12/B13 transfers, ${FLOW_CONNECTIONS} clients`,
      { url: ctx.ours, connections: FLOW_CONNECTIONS, transfer },
      ctx.serverPid,
    );
    ctx.figures.flowTransferServerCpuMs = transfers.cpu.server;
    if (wanted('B12')) rows.push(await depositRow(ctx, transfers));
    if (wanted('B13')) rows.push(await withdrawalRow(ctx, transfers));
  }
  if (wanted('B14')) rows.push(cpuRow(ctx));
  return rows;
}

async function depositRow(ctx: BenchContext, transfers: LoadResult & { cpu: CpuSnapshot }): Promise<Row> {
  const users = ctx.seed.depositors;
  const r = await measure(
    `B12 deposits (mutation + checkout), ${FLOW_CONNECTIONS} clients`,
    { url: ctx.ours, connections: FLOW_CONNECTIONS, deposit: { users, amount: AMOUNT } },
    ctx.serverPid,
  );
  log(`B12 deposits: ${steps(r)}; ${errorSummary(r)}`);
  // Every deposit paid at the sandbox (warm-up included) must be credited, once.
  const [paid, credited, creditedSum, walletCredits] = psql(
    dbOf(ctx),
    `select count(*), count(*) filter (where p.status = 'SUCCEEDED' and t.status = 'COMPLETED'),
            coalesce(sum(p.amount) filter (where p.status = 'SUCCEEDED' and t.status = 'COMPLETED'), 0),
            (select coalesce(sum(credits_posted), 0) from ledger_accounts where id in (${idList(users)}))
     from payments p join sandbox_payments s on s.reference = p.reference join transactions t on t.id = p.transaction_id
     where p.kind = 'DEPOSIT' and s.status = 'SUCCEEDED' and p.account_id in (${idList(users)})`,
  )
    .split('|')
    .map(Number);
  const seenPaid = (r.warmup?.total ?? 0) + r.total;
  // With no error answer every flow the clients ran was paid; with some, only the database's own agreement is checked.
  const countsAgree = clean(r) && !r.warmup?.errors ? paid === seenPaid : true;
  const verified = paid > 0 && credited === paid && creditedSum === walletCredits && countsAgree;
  const check =
    `${paid} paid at the sandbox (warm-up included; the clients saw ${seenPaid} flows${r.warmup?.errors ? `, ${r.warmup.errors} warm-up errors` : ''}), ` +
    `${credited} of them SUCCEEDED and COMPLETED, wallets credited ${walletCredits} for ${creditedSum}`;
  log(`B12 database: ${check}`);
  const b12 = r.rps / transfers.rps;
  return row(
    'B12',
    'deposits/s (mutation + sandbox checkout, credited) ÷ transfers/s, 50 clients',
    b12,
    '≥ 0.5',
    b12 >= 0.5 && verified && clean(r) && clean(transfers) && !r.warmup?.errors,
    `${flowFmt(r, 'deposits')} ÷ ${fmt(transfers)}, ${FLOW_CONNECTIONS} clients each; per deposit: ${steps(r)}; ` +
      `CPU per deposit ${serverCpu(r.cpu)}, per transfer ${serverCpu(transfers.cpu)}; ${check}${verified ? '' : ' (NOT all credited)'}; ` +
      `deposits: ${errorSummary(r)}, transfers: ${errorSummary(transfers)}` +
      (r.firstError ? `; first: ${r.firstError.slice(0, 160)}` : ''),
  );
}

async function withdrawalRow(ctx: BenchContext, transfers: LoadResult & { cpu: CpuSnapshot }): Promise<Row> {
  const users = ctx.seed.withdrawers;
  const db = dbOf(ctx);
  const r = await measure(
    `B13 withdrawals (mutation), ${FLOW_CONNECTIONS} clients`,
    {
      url: ctx.ours,
      connections: FLOW_CONNECTIONS,
      withdraw: { users, amount: AMOUNT, bankCode: BANK_CODE, accountNumber: ACCOUNT_NUMBER },
    },
    ctx.serverPid,
  );
  const loadEnded = Date.now();
  log(`B13 withdrawal mutations: ${steps(r)}; ${errorSummary(r)}`);
  const from = r.startedAt!;
  const ofRun = `p.kind = 'WITHDRAWAL' and p.account_id in (${idList(users)})`;
  // The run's withdrawals (warm-up included) until none is PENDING, or the timeout.
  let pending = Number(psql(db, `select count(*) from payments p where ${ofRun} and p.status = 'PENDING'`));
  const pendingAtEnd = pending;
  while (pending > 0 && Date.now() - loadEnded < SETTLE_TIMEOUT_MS) {
    await sleep(POLL_MS);
    pending = Number(psql(db, `select count(*) from payments p where ${ofRun} and p.status = 'PENDING'`));
  }
  const waited = Date.now() - loadEnded;
  const measured = `p.created_at >= to_timestamp(${from} / 1000.0)`;
  const [all, settledAll, started, settled, lastMs, lagP50, lagP99, lagMax] = psql(
    db,
    `select count(*), count(*) filter (where p.status = 'SUCCEEDED' and t.status = 'COMPLETED'),
            count(*) filter (where ${measured}),
            count(*) filter (where ${measured} and p.status = 'SUCCEEDED' and t.status = 'COMPLETED'),
            coalesce(extract(epoch from max(p.updated_at) filter (where ${measured})) * 1000, 0),
            ${['0.5', '0.99', '1']
              .map(
                (q) =>
                  `coalesce(percentile_cont(${q}) within group (order by extract(epoch from p.updated_at - p.created_at) * 1000) filter (where ${measured}), 0)`,
              )
              .join(', ')}
     from payments p join transactions t on t.id = p.transaction_id where ${ofRun}`,
  )
    .split('|')
    .map(Number);
  const seconds = (lastMs - from) / 1000;
  const rate = seconds > 0 ? started / seconds : 0;
  const mutationsOk = clean(r) && !r.warmup?.errors;
  const allSettled = pending === 0 && settledAll === all && settled === started;
  const countsAgree = !mutationsOk || started === r.total;
  const tail = (lastMs - (from + (r.took ?? DURATION) * 1000)) / 1000;
  const settling =
    `${started} started in the measured ${(r.took ?? DURATION).toFixed(1)} s (the clients saw ${r.total}), ${settled} SUCCEEDED and COMPLETED, ` +
    `the last ${seconds.toFixed(2)} s after the load's start (${tail.toFixed(2)} s after its end, when ${pendingAtEnd} were still PENDING); ` +
    `mutation to settlement p50 ${lagP50.toFixed(0)} ms, p99 ${lagP99.toFixed(0)} ms, max ${lagMax.toFixed(0)} ms; ` +
    `whole run with warm-up: ${settledAll} of ${all} settled${pending ? `, ${pending} still PENDING after ${(waited / 1000).toFixed(0)} s` : ''}`;
  log(`B13 settlement: ${rate.toFixed(0)} withdrawals settled/s; ${settling}`);
  const b13 = rate / transfers.rps;
  return row(
    'B13',
    'withdrawals settled/s ÷ transfers/s, 50 clients',
    b13,
    '≥ 0.5',
    b13 >= 0.5 && allSettled && countsAgree && mutationsOk && clean(transfers),
    `${rate.toFixed(0)} withdrawals settled/s (${started} ÷ ${seconds.toFixed(2)} s) ÷ ${fmt(transfers)}, ${FLOW_CONNECTIONS} clients each; ` +
      `the withdraw mutation alone: ${flowFmt(r, 'withdrawals')}; ${settling}${countsAgree ? '' : ' (NOT what the clients counted)'}; ` +
      `CPU per withdrawal mutation ${serverCpu(r.cpu)} (settling runs after the window), per transfer ${serverCpu(transfers.cpu)}; ` +
      `withdrawals: ${errorSummary(r)}, transfers: ${errorSummary(transfers)}` +
      (r.firstError ? `; first: ${r.firstError.slice(0, 160)}` : ''),
  );
}

function cpuRow(ctx: BenchContext): Row {
  const f = ctx.figures;
  const what = 'server CPU per transfer ÷ per authenticated { __typename }';
  if (f.transferServerCpuMs === undefined || f.typenameServerCpuMs === undefined) {
    return skipped('B14', what, '≤ 2', 'the transfer or { __typename } run did not take place');
  }
  const b14 = f.transferServerCpuMs / f.typenameServerCpuMs;
  const errors = f.transferErrors + f.typenameErrors;
  const at50 =
    f.flowTransferServerCpuMs === undefined
      ? ''
      : `; with ${FLOW_CONNECTIONS} clients (B12/B13's run) a transfer cost the server ${f.flowTransferServerCpuMs.toFixed(2)} ms`;
  return row(
    'B14',
    what,
    b14,
    '≤ 2',
    b14 <= 2 && errors === 0,
    `${f.transferServerCpuMs.toFixed(2)} ms ÷ ${f.typenameServerCpuMs.toFixed(2)} ms of our server's CPU per request ` +
      `(uniform transfers at ${f.transfersPerSecond.toFixed(0)}/s, B1's run; { __typename } with a bearer token at ${f.typenamePerSecond.toFixed(0)}/s, ` +
      `B4/B5's run; ${CONNECTIONS} connections each); PostgreSQL's own CPU per transfer besides: ${f.transferPostgresCpuMs.toFixed(2)} ms${at50}; ` +
      `${errors} error answers in the two runs`,
  );
}

/** A flow run like lib's fmt(): its rate, whole-flow latency, count and errors. */
const flowFmt = (r: LoadResult, what: string): string =>
  `${r.rps.toFixed(0)} ${what}/s (p50 ${r.p50} ms, p99 ${r.p99} ms, ${r.total} in ${(r.took ?? DURATION).toFixed(1)} s, ${r.graphqlErrors} errors)`;
