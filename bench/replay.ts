/**
 * B2: transfers/s over HTTP ÷ pgbench running the exact SQL one transfer sends (captured
 * from the server while seeding, bench/seed.ts). The captured statements are replayed with
 * their run-specific literals swapped for pgbench variables: a random seeded sender (user and
 * wallet), a random recipient, a fresh idempotency key and fresh row ids per transaction.
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
    return [
      row(
        'B2',
        WHAT,
        b2,
        '≥ 0.7',
        b2 >= 0.7 && failed === '0' && ctx.figures.transferErrors === 0,
        `${rps.toFixed(0)} transfers/s ÷ ${pg.tps.toFixed(0)} tps (pgbench -M prepared -c ${CONNECTIONS}, ${ctx.seed.transferSql.length} statement(s) per transaction, ${failed} failed; ` +
          `whole machine ${pg.cpu.machine.toFixed(2)} ms CPU per transaction, PostgreSQL ${pg.cpu.postgres.toFixed(2)} ms)`,
      ),
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
    psql(DB, 'drop table if exists bench_b2_senders, bench_b2_recipients');
  }
}
