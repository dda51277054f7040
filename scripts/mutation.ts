import { spawn } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import {
  acquireRunLock,
  filesInScope,
  matcher,
  mergeReports,
  mutationScore,
  PENDING_FILE,
  readMutationState,
  RUN_LOCK_FILE,
  type MutationReport,
} from './mutation-report.js';

/**
 * `npm run test:mutation [-- <pattern>[,<pattern>...]]` (docs/testing.md): StrykerJS over the
 * mutation scope of stryker.config.json, or over part of it, in incremental mode: mutants of
 * code and tests unchanged since reports/mutation/mutation.json are not run again. The part's
 * results replace that part of the report, and the files now measured leave the pending list.
 * (Stryker alone, given a part, would write a report of that part only.)
 */
const root = fileURLToPath(new URL('../../', import.meta.url));
// Before the report is read: a run waiting for another would read it too early.
const release = await acquireRunLock(`${root}${RUN_LOCK_FILE}`).catch((err: Error) => {
  console.error(err.message);
  process.exit(3);
});
process.on('exit', release);
const { mutate, reportFile, report, pending } = await readMutationState(root);
const seedPath = `${root}.stryker-tmp/incremental.json`;

// Options after the patterns go to StrykerJS as they are (`--force`: run every mutant of the
// part again, for a test changed in a way its incremental mode does not see).
const part = process.argv[2]?.split(',').filter(Boolean);
const strykerOptions = process.argv.slice(3);
// A part leaves out what the scope leaves out (entities, type modules, unit tests beside the code).
const patterns = part ? [...part, ...mutate.filter((p) => p.startsWith('!'))] : mutate;
const inPart = matcher(patterns);
const inScope = matcher(mutate);
const files = await filesInScope(root, patterns);
const outside = files.filter((f) => !inScope(f));
if (files.length === 0 || outside.length > 0) {
  console.error(
    files.length === 0 ? `no file matches ${patterns.join(',')}` : `outside the scope of stryker.config.json: ${outside.join(', ')}`,
  );
  process.exit(2);
}

/** The report with only the files `keep` takes. */
const only = (keep: (file: string) => boolean): MutationReport => ({
  ...report,
  files: Object.fromEntries(Object.entries(report.files).filter(([f]) => keep(f))),
});

// Stryker reads earlier results from the seed and overwrites it with this run's report.
const seed = only(inPart);
await mkdir(`${root}.stryker-tmp`, { recursive: true });
await writeFile(seedPath, JSON.stringify(seed));

const args = ['stryker', 'run', '--mutate', patterns.join(','), '--incrementalFile', seedPath, ...strykerOptions];
const code = await new Promise<number>((resolve) =>
  spawn('npx', args, { cwd: root, stdio: 'inherit' }).on('exit', (c, signal) => resolve(c ?? (signal ? 1 : 0))),
);
if (code !== 0) process.exit(code);

const run = JSON.parse(await readFile(seedPath, 'utf8')) as MutationReport;
const merged = mergeReports(
  only((f) => !inPart(f)),
  run,
);
await writeFile(`${root}${reportFile}`, `${JSON.stringify(merged, null, 2)}\n`);

const stillPending = pending.filter((f) => !merged.files[f]);
if (stillPending.length !== pending.length) {
  const header = (await readFile(`${root}${PENDING_FILE}`, 'utf8')).split('\n').filter((l) => l.startsWith('#'));
  await writeFile(`${root}${PENDING_FILE}`, [...header, ...stillPending, ''].join('\n'));
}
console.log(`${reportFile}: ${Object.keys(merged.files).length} files, score ${mutationScore(merged).toFixed(2)} %`);
if (stillPending.length > 0) console.log(`not measured yet (${PENDING_FILE}): ${stillPending.join(', ')}`);
