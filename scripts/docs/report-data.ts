import { readFile } from 'node:fs/promises';
import type { Row } from '../../bench/lib.js';
import { tally } from '../mutation-report.js';

/**
 * The parts of docs/technical-report.md that are measured, not written: each sits between
 * `<!-- generated: name -->` and `<!-- /generated -->` and is made again by `npm run docs` from
 * the file that holds the measurement (bench/results.json, docs/results/*.json, the mutation
 * report). test/docs/report.test.ts keeps the committed report equal to what its data says.
 */

/** A row of bench/results.json, as bench/run.ts writes it. */
export type BenchRow = Row;

export interface BenchResults {
  at: string;
  quick: boolean;
  connections: number;
  duration: number;
  warmup: number;
  rows: BenchRow[];
}

/** A suite's run, as `npm run docs:results` keeps it (docs/results/security.json). */
export interface SuiteResults {
  at: string;
  commit: string;
  command: string;
  files: { file: string; passed: number; failed: number; skipped: number }[];
}

/** The fault suite's run (docs/results/faults.json): its one summary line, and whether it passed. */
export interface FaultResults {
  at: string;
  commit: string;
  command: string;
  passed: boolean;
  summary: string;
}

export interface MutationTotals {
  files: number;
  /** Mutants that count towards the score, and those a test detected (killed or timed out). */
  valid: number;
  detected: number;
  survived: number;
  noCoverage: number;
}

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
const day = (iso: string) => iso.slice(0, 10);

export function benchBlock(results: BenchResults): string {
  // The report quotes a full run of every row; a quick run's 5 s measurements swing too much.
  if (results.quick) throw new Error('bench/results.json holds a quick run: run the full npm run bench');
  const rows = results.rows.map(
    (r) =>
      `| ${r.id} | ${cell(r.what)} | ${r.ratio === null ? '—' : r.ratio.toFixed(2)} | ${cell(r.goal)} | ` +
      `${r.pass === null ? 'not measured' : r.pass ? 'pass' : 'not reached'} |`,
  );
  const passed = results.rows.filter((r) => r.pass === true).length;
  const measured = results.rows.filter((r) => r.pass !== null).length;
  return [
    `From \`bench/results.json\`, written by \`npm run bench\` on ${day(results.at)}: ${results.connections} connections, ${results.duration} s per measurement after ` +
      `${results.warmup} s of warm-up, on the two-core machine that also runs the load generator, PostgreSQL and Redis. ` +
      `${passed} of ${measured} measured rows reach their goal.`,
    '',
    '| row | what is compared | ratio | goal | |',
    '|---|---|---:|---|---|',
    ...rows,
    '',
    'The raw figures behind each ratio (requests per second, latencies, CPU per request of each process):',
    '',
    ...results.rows.map((r) => `- **${r.id}**: ${r.raw}`),
  ].join('\n');
}

export function securityBlock(results: SuiteResults): string {
  const total = results.files.reduce(
    (t, f) => ({ passed: t.passed + f.passed, failed: t.failed + f.failed, skipped: t.skipped + f.skipped }),
    {
      passed: 0,
      failed: 0,
      skipped: 0,
    },
  );
  return [
    `\`${results.command}\` on ${day(results.at)} (commit \`${results.commit}\`): **${total.passed} passed, ${total.failed} failed**` +
      `${total.skipped > 0 ? `, ${total.skipped} skipped` : ''}.`,
    '',
    '| suite | passed | failed |',
    '|---|---:|---:|',
    ...results.files.map((f) => `| \`${f.file}\` | ${f.passed} | ${f.failed} |`),
  ].join('\n');
}

export function faultsBlock(results: FaultResults): string {
  return [
    `\`${results.command}\` on ${day(results.at)} (commit \`${results.commit}\`): ${results.passed ? '**passed**' : '**failed**'}. Its summary line:`,
    '',
    '```text',
    results.summary.replace(/; /g, ';\n  '),
    '```',
  ].join('\n');
}

export function mutationBlock(t: MutationTotals): string {
  const score = t.valid === 0 ? 0 : (100 * t.detected) / t.valid;
  return (
    `\`reports/mutation/mutation.json\` (StrykerJS): **${score.toFixed(2)} %** of ${t.valid} mutants over ${t.files} files ` +
    `are detected by a test (${t.detected} killed or timed out, ${t.survived} survived, ${t.noCoverage} without coverage).`
  );
}

const BLOCK = /<!-- generated: ([a-z-]+) -->\n[\s\S]*?<!-- \/generated -->/g;

/** The Markdown with every generated block made again from `blocks`; a block without data is an error. */
export function refreshGenerated(markdown: string, blocks: Record<string, string>): string {
  const seen = new Set<string>();
  const out = markdown.replace(BLOCK, (_, name: string) => {
    const block = blocks[name];
    if (block === undefined) throw new Error(`docs/technical-report.md: no data for the generated block "${name}"`);
    seen.add(name);
    return `<!-- generated: ${name} -->\n${block.trimEnd()}\n<!-- /generated -->`;
  });
  const unused = Object.keys(blocks).filter((name) => !seen.has(name));
  if (unused.length > 0) throw new Error(`docs/technical-report.md has no place for: ${unused.join(', ')}`);
  return out;
}

/** Every generated block, from the files in the repository that hold the measurements. */
export async function reportBlocks(root: string): Promise<Record<string, string>> {
  const json = async <T>(file: string): Promise<T> => JSON.parse(await readFile(`${root}/${file}`, 'utf8')) as T;
  const mutation = await json<{ files: Record<string, { mutants: { status: string }[] }> }>('reports/mutation/mutation.json');
  const t = tally(Object.values(mutation.files).flatMap((f) => f.mutants));
  return {
    bench: benchBlock(await json<BenchResults>('bench/results.json')),
    security: securityBlock(await json<SuiteResults>('docs/results/security.json')),
    faults: faultsBlock(await json<FaultResults>('docs/results/faults.json')),
    mutation: mutationBlock({ files: Object.keys(mutation.files).length, ...t }),
    tables: tablesBlock(await readFile(`${root}/docs/diagrams/er.mmd`, 'utf8')),
  };
}

/**
 * Every table with its columns, from docs/diagrams/er.mmd (which `npm run docs:er` makes from the
 * migrations): the data model in words, where the full diagram is too large for a page.
 */
export function tablesBlock(er: string): string {
  const rows: string[] = [];
  let table: string | undefined;
  let columns: string[] = [];
  for (const line of er.split('\n')) {
    const open = /^\s+"?([A-Za-z0-9_-]+)"? \{$/.exec(line);
    if (open) {
      table = open[1];
      columns = [];
      continue;
    }
    if (table && /^\s+\}$/.test(line)) {
      rows.push(`| \`${table}\` | ${columns.join(', ')} |`);
      table = undefined;
      continue;
    }
    const column = /^\s+(\S+) (\S+)((?: (?:PK|FK|UK)(?:, ?(?:PK|FK|UK))*)?)(?: "([^"]*)")?$/.exec(line);
    if (table && column) {
      const keys = column[3].trim().replace(/\s+/g, '');
      const notes = [keys, column[4] === 'nullable' ? 'null' : (column[4] ?? '')].filter(Boolean).join(', ');
      columns.push(`\`${column[2]}\` ${column[1].replace(/_/g, ' ')}${notes ? ` (${notes})` : ''}`);
    }
  }
  return [
    `${rows.length} tables (PK primary key, FK foreign key, UK unique, null: may be empty):`,
    '',
    '| table | columns |',
    '|---|---|',
    ...rows,
  ].join('\n');
}
