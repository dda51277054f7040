import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  acquireRunLock,
  matcher,
  mergeReports,
  mutationScore,
  parsePending,
  readMutationState,
  reportProblems,
  type MutationReport,
} from '../../scripts/mutation-report.js';

/**
 * The committed mutation report (docs/testing.md) must describe the code in the tree: a change
 * to a mutated file without `npm run test:mutation` afterwards fails here, in `npm test` and CI.
 */
const root = path.resolve(import.meta.dirname, '../..');

describe('the committed mutation report', () => {
  it('was made on the code in the tree and meets the goal', async () => {
    const { mutate, report, pending } = await readMutationState(root);
    expect(Object.keys(report.files).length).toBeGreaterThan(0);
    expect(await reportProblems(root, mutate, report, pending)).toEqual([]);
    expect(mutationScore(report)).toBeGreaterThanOrEqual(85);
  });
});

describe('reportProblems', () => {
  let dir: string;
  const patterns = ['src/money/*.ts', 'src/providers/*/*.webhook.ts', '!src/money/*.entity.ts'];
  const sources: Record<string, string> = {
    'src/money/ledger.ts': 'export const a = 1;\n',
    'src/money/account.entity.ts': 'export class Account {}\n',
    'src/providers/paystack/paystack.webhook.ts': 'export const w = 2;\n',
    'src/providers/paystack/paystack.http.ts': 'export const h = 3;\n',
  };
  const reportOf = (files: Record<string, string>): MutationReport => ({
    files: Object.fromEntries(Object.entries(files).map(([f, source]) => [f, { source, mutants: [] }])),
  });
  const inScope = {
    'src/money/ledger.ts': sources['src/money/ledger.ts'],
    'src/providers/paystack/paystack.webhook.ts': sources['src/providers/paystack/paystack.webhook.ts'],
  };

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'mutation-report-'));
    for (const [file, source] of Object.entries(sources)) {
      await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
      await writeFile(path.join(dir, file), source);
    }
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('finds nothing when the report holds exactly the files in scope, unchanged', async () => {
    expect(await reportProblems(dir, patterns, reportOf(inScope))).toEqual([]);
  });

  it('names a file changed since the run', async () => {
    const stale = reportOf({ ...inScope, 'src/money/ledger.ts': 'export const a = 2;\n' });
    expect(await reportProblems(dir, patterns, stale)).toEqual(['src/money/ledger.ts: changed since the report was made']);
  });

  it('names a file in scope the report lacks, and one it holds that is out of scope', async () => {
    const { ['src/money/ledger.ts']: _, ...rest } = inScope;
    const report = reportOf({ ...rest, 'src/providers/paystack/paystack.http.ts': sources['src/providers/paystack/paystack.http.ts'] });
    expect(await reportProblems(dir, patterns, report)).toEqual([
      'src/money/ledger.ts: not in the report (new in the mutation scope?)',
      'src/providers/paystack/paystack.http.ts: in the report but no longer in the mutation scope',
    ]);
  });

  it('accepts a file in scope not yet measured when the pending list names it, and only then', async () => {
    const { ['src/money/ledger.ts']: _, ...rest } = inScope;
    expect(await reportProblems(dir, patterns, reportOf(rest), ['src/money/ledger.ts'])).toEqual([]);
    expect(await reportProblems(dir, patterns, reportOf(inScope), ['src/money/ledger.ts'])).toEqual([
      'src/money/ledger.ts: in the report, so no longer pending',
    ]);
    expect(await reportProblems(dir, patterns, reportOf(inScope), ['src/money/gone.ts'])).toEqual([
      'src/money/gone.ts: pending but not in the mutation scope',
    ]);
    expect(parsePending('# header\n\nsrc/a.ts  # why\nsrc/b.ts\n')).toEqual(['src/a.ts', 'src/b.ts']);
  });

  it('reads `*` as one folder level and `!` as leaving out what earlier patterns took', () => {
    const inside = matcher(patterns);
    expect(inside('src/money/ledger.ts')).toBe(true);
    expect(inside('src/money/account.entity.ts')).toBe(false);
    expect(inside('src/money/deep/ledger.ts')).toBe(false);
    expect(inside('src/providers/stripe/stripe.webhook.ts')).toBe(true);
    expect(inside('src/providers/stripe/stripe.issuer.ts')).toBe(false);
    expect(inside('src/moneyXledger.ts')).toBe(false);
  });

  it('reads `**/` as any number of folders, none included', () => {
    const inside = matcher(['src/money/*.ts', '!src/**/*.test.ts']);
    expect(inside('src/money/ledger.ts')).toBe(true);
    expect(inside('src/money/ledger.test.ts')).toBe(false);
    expect(matcher(['src/**/*.sql'])('src/a.sql')).toBe(true);
    expect(matcher(['src/**/*.sql'])('src/db/functions/a.sql')).toBe(true);
    expect(matcher(['src/**/*.sql'])('src/db/a.ts')).toBe(false);
    expect(matcher(['src/**/*.sql'])('srcXa.sql')).toBe(false);
  });
});

describe('mergeReports', () => {
  const test = (id: string, name: string) => ({ id, name });
  it('replaces the updated files, keeps the others, and renumbers tests by file and name', () => {
    const base: MutationReport = {
      files: {
        'src/a.ts': { source: 'old a', mutants: [{ status: 'Survived', coveredBy: ['0', '1'] }] },
        'src/b.ts': { source: 'b', mutants: [{ status: 'Killed', coveredBy: ['1'], killedBy: ['1'] }] },
      },
      testFiles: { 'test/x.test.ts': { source: 'old x', tests: [test('0', 'one'), test('1', 'two')] } },
    };
    const update: MutationReport = {
      files: { 'src/a.ts': { source: 'new a', mutants: [{ status: 'Killed', coveredBy: ['0'], killedBy: ['0'] }] } },
      testFiles: { 'test/x.test.ts': { source: 'new x', tests: [test('0', 'three'), test('1', 'two')] } },
    };
    const merged = mergeReports(base, update);
    expect(merged.testFiles).toEqual({
      'test/x.test.ts': { source: 'new x', tests: [test('0', 'three'), test('1', 'two'), test('2', 'one')] },
    });
    expect(merged.files['src/a.ts']).toEqual({ source: 'new a', mutants: [{ status: 'Killed', coveredBy: ['0'], killedBy: ['0'] }] });
    // 'two' was 1 in both; base's 'one' (0) is now 2.
    expect(merged.files['src/b.ts'].mutants).toEqual([{ status: 'Killed', coveredBy: ['1'], killedBy: ['1'] }]);
    expect(mergeReports(base, { files: {} }).files['src/a.ts'].mutants[0].coveredBy).toEqual(['0', '1']);
  });
});

describe('mutationScore', () => {
  it('is detected over detected, survived and uncovered; ignored and broken mutants do not count', () => {
    const statuses = ['Killed', 'Killed', 'Timeout', 'Survived', 'NoCoverage', 'Ignored', 'CompileError', 'RuntimeError'];
    const report: MutationReport = { files: { 'a.ts': { source: '', mutants: statuses.map((status) => ({ status })) } } };
    expect(mutationScore(report)).toBe(60);
  });
});

describe('acquireRunLock', () => {
  it('lets one mutation run in at a time, names the one that holds it, and takes over a lock whose run died', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'mutation-lock-'));
    const file = path.join(dir, 'run.lock');
    try {
      const release = await acquireRunLock(file);
      expect(await readFile(file, 'utf8')).toBe(String(process.pid));
      // This process is alive: a second run is refused, naming it.
      await expect(acquireRunLock(file, 999_999)).rejects.toThrow(`another mutation run (pid ${process.pid}) is under way`);
      release();
      const again = await acquireRunLock(file, 4242);
      expect(await readFile(file, 'utf8')).toBe('4242');
      again();

      // A run that died left its lock: the next one takes it.
      const dead = spawn(process.execPath, ['-e', '']);
      await new Promise((resolve) => dead.on('exit', resolve));
      await writeFile(file, String(dead.pid));
      const takeover = await acquireRunLock(file);
      expect(await readFile(file, 'utf8')).toBe(String(process.pid));
      takeover();
      await expect(readFile(file, 'utf8')).rejects.toMatchObject({ code: 'ENOENT' });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

