import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FaultResults, SuiteResults } from './report-data.js';

/**
 * `npm run docs:results`: runs the attack suites (test/security) and the fault suite
 * (`npm run test:faults`) and keeps what they found in docs/results/security.json and
 * docs/results/faults.json, which the technical report quotes (`npm run docs`). Takes a few
 * minutes; run it on a quiet machine before a release of the report. A failing suite is
 * recorded as failing (and this command exits 1): the report never says more than the run did.
 * `npm run docs:results -- faults` (or `-- security`) runs one of the two.
 */

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const OUT = path.join(ROOT, 'docs/results');
const env = {
  ...process.env,
  DATABASE_URL: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
  REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
};

function commit(): string {
  const git = (...args: string[]) => execFileSync('git', args, { cwd: ROOT, encoding: 'utf8' }).trim();
  // What the suites run: the server's code and the tests' own support (not, say, docs or scripts).
  const dirty = git('status', '--porcelain', '--', 'src', 'test/security', 'test/faults', 'test/support').length > 0;
  return `${git('rev-parse', '--short', 'HEAD')}${dirty ? ' with uncommitted changes' : ''}`;
}

interface VitestJson {
  testResults: { name: string; assertionResults: { status: string }[] }[];
}

function security(): boolean {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'docs-results-'));
  const file = path.join(dir, 'security.json');
  const command = 'npx vitest run test/security';
  console.log(`docs:results: ${command}`);
  const run = spawnSync('npx', ['vitest', 'run', 'test/security', '--reporter=default', '--reporter=json', `--outputFile.json=${file}`], {
    cwd: ROOT,
    env,
    stdio: 'inherit',
  });
  const json = JSON.parse(readFileSync(file, 'utf8')) as VitestJson;
  rmSync(dir, { recursive: true, force: true });
  const count = (r: VitestJson['testResults'][number], status: string) => r.assertionResults.filter((a) => a.status === status).length;
  const results: SuiteResults = {
    at: new Date().toISOString(),
    commit: commit(),
    command,
    files: json.testResults
      .map((r) => ({
        file: path.relative(ROOT, r.name),
        passed: count(r, 'passed'),
        failed: count(r, 'failed'),
        skipped: count(r, 'skipped') + count(r, 'pending') + count(r, 'todo'),
      }))
      .sort((a, b) => a.file.localeCompare(b.file)),
  };
  writeFileSync(path.join(OUT, 'security.json'), `${JSON.stringify(results, null, 2)}\n`);
  return run.status === 0;
}

function faults(): boolean {
  const command = 'npm run test:faults';
  console.log(`docs:results: ${command}`);
  const run = spawnSync('npm', ['run', '-s', 'test:faults'], { cwd: ROOT, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  process.stdout.write(run.stdout);
  process.stderr.write(run.stderr);
  // eslint-disable-next-line no-control-regex
  const plain = run.stdout.replace(/\x1b\[[0-9;]*m/g, '');
  const summary = /^faults: .*$/m.exec(plain)?.[0];
  if (!summary) throw new Error('the fault suite printed no "faults:" line');
  const results: FaultResults = { at: new Date().toISOString(), commit: commit(), command, passed: run.status === 0, summary };
  writeFileSync(path.join(OUT, 'faults.json'), `${JSON.stringify(results, null, 2)}\n`);
  return results.passed;
}

mkdirSync(OUT, { recursive: true });
// `npm run docs:results -- faults` (or `security`) runs one of them.
const only = process.argv.slice(2);
const runs = { security, faults };
const ok = Object.entries(runs)
  .filter(([name]) => only.length === 0 || only.includes(name))
  .map(([, run]) => run())
  .every(Boolean);
console.log(`docs:results: written to docs/results/${ok ? '' : ' (a suite failed: the report will say so)'}`);
process.exitCode = ok ? 0 : 1;
