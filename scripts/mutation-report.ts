import { createHash } from 'node:crypto';
import { rmSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseLineList } from './line-list.js';
import { isAlive } from './pid.js';

/**
 * Whether the committed mutation report (reports/mutation/mutation.json, written by
 * `npm run test:mutation`) was made on the code in the tree: every file Stryker is told to
 * mutate must be in the report with the same content, and the report must hold no other.
 * The report keeps each mutated file's whole source, so its SHA-256 is compared with the file's.
 */

/** A mutant as the report keeps it; tests are named by ids of the report's `testFiles`. */
export interface ReportedMutant {
  status: string;
  coveredBy?: string[];
  killedBy?: string[];
  [key: string]: unknown;
}

/** A test file as the report keeps it (Stryker's incremental mode compares its source). */
export interface ReportedTestFile {
  source?: string;
  tests: { id: string; name: string; [key: string]: unknown }[];
}

/** The parts of a mutation-testing-elements report these scripts read and write. */
export interface MutationReport {
  files: Record<string, { source: string; mutants: ReportedMutant[]; [key: string]: unknown }>;
  testFiles?: Record<string, ReportedTestFile>;
  [key: string]: unknown;
}

/** Where the report and the pending list live, relative to the project root. */
export const PENDING_FILE = 'reports/mutation/pending.txt';

/** stryker.config.json's scope and report, the report (empty before any run) and the pending list. */
export async function readMutationState(root: string): Promise<{
  mutate: string[];
  reportFile: string;
  report: MutationReport;
  pending: string[];
}> {
  const config = JSON.parse(await readFile(path.join(root, 'stryker.config.json'), 'utf8')) as {
    mutate: string[];
    incrementalFile: string;
  };
  const text = (file: string) =>
    readFile(path.join(root, file), 'utf8').catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return undefined;
      throw err;
    });
  const reportText = await text(config.incrementalFile);
  return {
    mutate: config.mutate,
    reportFile: config.incrementalFile,
    report: reportText === undefined ? { files: {} } : (JSON.parse(reportText) as MutationReport),
    pending: parsePending((await text(PENDING_FILE)) ?? ''),
  };
}

/** `mutate` patterns as stryker.config.json writes them: `*` within a folder, `!` to leave out. */
export function matcher(patterns: string[]): (file: string) => boolean {
  // `**/` is any number of folders, `*` anything within one.
  const escape = (part: string) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
  const toRegex = (glob: string) =>
    new RegExp(
      `^${glob
        .split('**/')
        .map((seg) => seg.split('*').map(escape).join('[^/]*'))
        .join('(?:.*/)?')}$`,
    );
  const rules = patterns.map((p) => ({ exclude: p.startsWith('!'), re: toRegex(p.replace(/^!/, '')) }));
  return (file) => rules.reduce((included, r) => (r.re.test(file) ? !r.exclude : included), false);
}

/** Every file under `dir` (relative to `root`, with forward slashes). */
async function walk(root: string, dir: string): Promise<string[]> {
  const entries = await readdir(path.join(root, dir), { withFileTypes: true });
  const nested = await Promise.all(
    entries.map((e) => (e.isDirectory() ? walk(root, `${dir}/${e.name}`) : Promise.resolve([`${dir}/${e.name}`]))),
  );
  return nested.flat();
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** The files `mutate` patterns take, under the folders they name. */
export async function filesInScope(root: string, patterns: string[]): Promise<string[]> {
  const inScope = matcher(patterns);
  const topDirs = [...new Set(patterns.map((p) => p.replace(/^!/, '').split('/')[0]))];
  return (await Promise.all(topDirs.map((d) => walk(root, d)))).flat().filter(inScope).sort();
}

/**
 * What differs between the report and the tree, one line each; empty when they agree.
 * `pending` names files in scope whose first run is still to come (reports/mutation/pending.txt).
 */
export async function reportProblems(root: string, patterns: string[], report: MutationReport, pending: string[] = []): Promise<string[]> {
  const files = await filesInScope(root, patterns);
  const problems: string[] = [];
  for (const file of files) {
    const reported = report.files[file];
    if (!reported) {
      if (!pending.includes(file)) problems.push(`${file}: not in the report (new in the mutation scope?)`);
      continue;
    }
    if (pending.includes(file)) problems.push(`${file}: in the report, so no longer pending`);
    const current = await readFile(path.join(root, file), 'utf8');
    if (sha256(current) !== sha256(reported.source)) problems.push(`${file}: changed since the report was made`);
  }
  for (const file of Object.keys(report.files)) {
    if (!files.includes(file)) problems.push(`${file}: in the report but no longer in the mutation scope`);
  }
  for (const file of pending) {
    if (!files.includes(file)) problems.push(`${file}: pending but not in the mutation scope`);
  }
  return problems;
}

/** The files a pending list names (blank lines and # comments skipped). */
export const parsePending = parseLineList;

/** Mutants that count towards a score, and those of them a test detected (killed or timed out). */
export interface Tally {
  valid: number;
  detected: number;
  survived: number;
  noCoverage: number;
}

export function tally(mutants: ReportedMutant[]): Tally {
  const t: Tally = { valid: 0, detected: 0, survived: 0, noCoverage: 0 };
  for (const { status } of mutants) {
    if (status === 'Killed' || status === 'Timeout') t.detected++;
    if (status === 'Survived') t.survived++;
    if (status === 'NoCoverage') t.noCoverage++;
    if (['Killed', 'Timeout', 'Survived', 'NoCoverage'].includes(status)) t.valid++;
  }
  return t;
}

const percent = (t: Tally) => (t.valid === 0 ? 0 : (100 * t.detected) / t.valid);

/** Detected ÷ (detected + survived + no coverage), in percent, over every file of the report. */
export function mutationScore(report: MutationReport): number {
  return percent(tally(Object.values(report.files).flatMap((f) => f.mutants)));
}

/** The score table of docs/testing.md, one Markdown row per file and a total row. */
export function scoreTable(report: MutationReport): string {
  const row = (cells: (string | number)[]) => `| ${cells.join(' | ')} |`;
  const files = Object.keys(report.files).sort();
  const lines = [row(['file', 'mutants', 'killed', 'survived', 'no coverage', 'score']), '|---|---:|---:|---:|---:|---:|'];
  for (const file of files) {
    const t = tally(report.files[file].mutants);
    lines.push(row([`\`${file}\``, t.valid, t.detected, t.survived, t.noCoverage, `${percent(t).toFixed(1)} %`]));
  }
  const all = tally(files.flatMap((f) => report.files[f].mutants));
  lines.push(row([`**${files.length} files**`, all.valid, all.detected, all.survived, all.noCoverage, `**${percent(all).toFixed(1)} %**`]));
  return lines.join('\n');
}

/**
 * `base` with the files of `update` in place of its own (a run over part of the scope). Test
 * ids are numbers each run hands out afresh, so tests are matched by file and name and
 * numbered again; test sources are taken from `update`, the newer run.
 */
export function mergeReports(base: MutationReport, update: MutationReport): MutationReport {
  const ids = new Map<string, string>();
  const testFiles: Record<string, ReportedTestFile> = {};
  const keysOf = (report: MutationReport) =>
    new Map(Object.entries(report.testFiles ?? {}).flatMap(([file, { tests }]) => tests.map((t) => [t.id, `${file}\0${t.name}`] as const)));
  for (const report of [update, base]) {
    for (const [file, { tests, ...rest }] of Object.entries(report.testFiles ?? {})) {
      const merged = (testFiles[file] ??= { ...rest, tests: [] });
      for (const t of tests) {
        const key = `${file}\0${t.name}`;
        if (ids.has(key)) continue;
        ids.set(key, String(ids.size));
        merged.tests.push({ ...t, id: ids.get(key)! });
      }
    }
  }
  const renumber = (report: MutationReport) => {
    const keys = keysOf(report);
    const map = (list?: string[]) => list?.map((id) => ids.get(keys.get(id) ?? '') ?? id);
    return Object.fromEntries(
      Object.entries(report.files).map(([file, f]) => [
        file,
        { ...f, mutants: f.mutants.map((m) => ({ ...m, coveredBy: map(m.coveredBy), killedBy: map(m.killedBy) })) },
      ]),
    );
  };
  const files = { ...renumber(base), ...renumber(update) };
  const sorted = Object.fromEntries(
    Object.keys(files)
      .sort()
      .map((f) => [f, files[f]]),
  );
  return { ...base, ...update, files: sorted, testFiles };
}

/** Where a mutation run says it is running (git-ignored). */
export const RUN_LOCK_FILE = '.mutation-run.lock';

/**
 * One mutation run at a time: two would share StrykerJS's seed file and each would write the
 * report from what it read at its start, so the later one drops the earlier one's results.
 * Takes the lock (a file holding the run's pid), or throws naming the live run that holds it;
 * a lock left by a run that died is taken over. Answers the function that releases it
 * (synchronous: it runs as the process exits).
 */
export async function acquireRunLock(file: string, pid = process.pid): Promise<() => void> {
  try {
    await writeFile(file, String(pid), { flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    const holder = Number((await readFile(file, 'utf8').catch(() => '')).trim());
    if (Number.isInteger(holder) && holder > 0 && isAlive(holder)) {
      throw new Error(`another mutation run (pid ${holder}) is under way; its results and this one's would overwrite each other`, {
        cause: err,
      });
    }
    await writeFile(file, String(pid));
  }
  return () => rmSync(file, { force: true });
}
