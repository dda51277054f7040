/**
 * B2: transfers/s over HTTP ÷ pgbench running the exact SQL one transfer sends (captured
 * from the server while seeding, bench/seed.ts). The captured statements are replayed with
 * their run-specific literals swapped for pgbench variables: a random seeded sender (user and
 * wallet), a random recipient, a fresh idempotency key and fresh row ids per transaction.
 * Beside it, not part of the ratio, group commit is measured (groupScript): the same call eight
 * times in one statement, from one and from two connections.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CONNECTIONS, DURATION, WARMUP, log, pgbench, psql, row, skipped, wanted, type BenchContext, type Row } from './lib.js';

const DB = 'wallet_bench';
const WHAT = "transfers/s ÷ pgbench running one transfer's exact SQL";

const quote = (v: string) => `'${v.replace(/'/g, "''")}'`;
const subject = (token: string) => (JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()) as { sub: string }).sub;

/** The pgbench script: the captured statements with the literals that must vary replaced. */
export function replayScript(ctx: BenchContext): string {
  const c = ctx.seed.transferCapture;
  const swaps: [RegExp, string][] = [
    [new RegExp(quote(c.userId), 'g'), '(select user_id from bench_b2_senders where n = :s)'],
    [new RegExp(quote(c.walletId), 'g'), '(select wallet_id from bench_b2_senders where n = :s)'],
    [new RegExp(quote(c.email), 'g'), '(select email from bench_b2_recipients where n = :r)'],
    [new RegExp(quote(c.key), 'g'), 'gen_random_uuid()::text'],
    // Fresh row ids and reference, as the server draws them per transfer.
    [
      /'\{"transfer":"[^']*\}'/g,
      `jsonb_build_object('transfer', gen_random_uuid(), 'debit', gen_random_uuid(), 'credit', gen_random_uuid(), ` +
        `'wallet', gen_random_uuid(), 'reference', 'trf_' || gen_random_uuid())::text`,
    ],
  ];
  const statements = ctx.seed.transferSql.map((sql) => {
    let s = sql.trim().replace(/;$/, '');
    for (const [from, to] of swaps) s = s.replace(from, to);
    return `${s.replace(/\s*\n\s*/g, ' ')};`;
  });
  return [`\\set s random(1, ${ctx.seed.senders.length})`, `\\set r random(1, ${ctx.seed.recipientEmails.length})`, ...statements, ''].join(
    '\n',
  );
}

/** Transfers one group-commit statement carries (issue 19's experiment). */
const GROUP = 8;

/**
 * Group commit, as an experiment beside B2: the same captured call, GROUP times in one
 * statement (one round trip, one transaction, one commit), each with its own random sender and
 * recipient, the way a committer that gathers the transfers in flight would send them.
 */
export function groupScript(ctx: BenchContext): string | undefined {
  if (ctx.seed.transferSql.length !== 1) return undefined;
  const one = replayScript(ctx)
    .split('\n')
    .find((l) => l.startsWith('select wallet_transfer('));
  const call = one?.replace(/^select /, '').replace(/ as r;$/, '');
  if (!call || call === one) return undefined;
  const perRow = call.replace(/where n = :s\)/g, 'where n = g.s)').replace(/where n = :r\)/g, 'where n = g.r)');
  return [
    `select count(*) from (select ${perRow} as r from (`,
    `  select 1 + floor(random() * ${ctx.seed.senders.length})::int as s, 1 + floor(random() * ${ctx.seed.recipientEmails.length})::int as r`,
    `  from generate_series(1, ${GROUP})) g) x;`,
    '',
  ].join(' ');
}

/** transfers/s through groupScript with `clients` connections, and how many of its transactions failed. */
function groupRun(script: string, clients: number): { rps: number; failed: string } {
  const args = ['-f', script, '-c', String(clients), '-j', String(clients), '--max-tries', '20'];
  pgbench(DB, WARMUP, args);
  const pg = pgbench(DB, DURATION, args);
  return { rps: pg.tps * GROUP, failed: /number of failed transactions: (\d+)/.exec(pg.raw)?.[1] ?? '0' };
}

export async function replayRows(ctx: BenchContext): Promise<Row[]> {
  if (!wanted('B2')) return [];
  const rps = ctx.figures.transfersPerSecond;
  if (rps === undefined) return [skipped('B2', WHAT, '≥ 0.7', 'needs B1 in the same run (BENCH_ONLY=B1,B2)')];
  const senders = ctx.seed.senders.map((s, i) => `(${i + 1}, ${quote(subject(s.token))}, ${quote(s.walletId)})`);
  const recipients = ctx.seed.recipientEmails.map((e, i) => `(${i + 1}, ${quote(e)})`);
  psql(
    DB,
    `drop table if exists bench_b2_senders, bench_b2_recipients;
     create table bench_b2_senders (n int primary key, user_id uuid not null, wallet_id uuid not null);
     create table bench_b2_recipients (n int primary key, email text not null);
     insert into bench_b2_senders values ${senders.join(', ')};
     insert into bench_b2_recipients values ${recipients.join(', ')};`,
  );
  const dir = mkdtempSync(path.join(os.tmpdir(), 'wallet-bench-b2-'));
  const script = path.join(dir, 'transfer.sql');
  writeFileSync(script, replayScript(ctx));
  try {
    log(`B2 pgbench replaying ${ctx.seed.transferSql.length} captured statements: warm-up ${WARMUP}s, measuring ${DURATION}s`);
    pgbench(DB, WARMUP, ['-f', script]);
    const pg = pgbench(DB, DURATION, ['-f', script]);
    const failed = /number of failed transactions: (\d+)/.exec(pg.raw)?.[1] ?? '0';
    log(`B2 pgbench: ${pg.tps.toFixed(0)} tps, ${failed} failed`);
    const b2 = rps / pg.tps;
    // Group commit, measured against the single call (not part of B2's ratio).
    const grouped = groupScript(ctx);
    let group = 'group commit not measured (the transfer is not one wallet_transfer call)';
    if (grouped) {
      const groupFile = path.join(dir, 'group.sql');
      writeFileSync(groupFile, grouped);
      log(`B2 group commit: ${GROUP} transfers per statement, 1 and 2 connections`);
      const [one, two] = [groupRun(groupFile, 1), groupRun(groupFile, 2)];
      group =
        `group commit (${GROUP} calls in one statement): 1 connection ${one.rps.toFixed(0)} transfers/s (${one.failed} failed), ` +
        `2 connections ${two.rps.toFixed(0)} transfers/s (${two.failed} failed after retrying deadlocks) ÷ single calls ${pg.tps.toFixed(0)}/s = ` +
        `${(Math.max(one.rps, two.rps) / pg.tps).toFixed(2)}`;
    }
    return [
      row(
        'B2',
        WHAT,
        b2,
        '≥ 0.7',
        b2 >= 0.7 && failed === '0' && ctx.figures.transferErrors === 0,
        `${rps.toFixed(0)} transfers/s ÷ ${pg.tps.toFixed(0)} tps (pgbench -M prepared -c ${CONNECTIONS}, ${ctx.seed.transferSql.length} statement(s) per transaction, ${failed} failed; ` +
          `whole machine ${pg.cpu.machine.toFixed(2)} ms CPU per transaction, PostgreSQL ${pg.cpu.postgres.toFixed(2)} ms); ${group}`,
      ),
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
    psql(DB, 'drop table if exists bench_b2_senders, bench_b2_recipients');
  }
}
