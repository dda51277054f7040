import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  benchBlock,
  faultsBlock,
  mutationBlock,
  refreshGenerated,
  reportBlocks,
  securityBlock,
  type BenchResults,
} from '../../scripts/docs/report-data.js';
import { DRAWIO_DIAGRAMS } from '../../scripts/docs/diagram-names.js';

/**
 * docs/technical-report.md and docs/diagrams stay true to their sources: the measured blocks
 * equal what their data files say, every figure the report shows is committed, every Mermaid
 * source has its SVG and PNG (and the architecture diagrams their draw.io file).
 */

const ROOT = path.resolve(import.meta.dirname, '../..');
const REPORT = readFileSync(path.join(ROOT, 'docs/technical-report.md'), 'utf8');
const DIAGRAMS = path.join(ROOT, 'docs/diagrams');

const bench: BenchResults = {
  at: '2026-12-07T11:00:00.000Z',
  quick: false,
  connections: 50,
  duration: 30,
  warmup: 10,
  rows: [
    { id: 'B1', what: 'transfers ÷ pgbench', ratio: 0.514, goal: '≥ 0.5', pass: true, raw: '100 ÷ 200' },
    { id: 'B12', what: 'deposits | transfers', ratio: 0.33, goal: '≥ 0.5', pass: false, raw: '33 ÷ 100' },
    { id: 'B7', what: 'history', ratio: null, goal: '≤ 2', pass: null, raw: 'not measured in this run' },
  ],
};

describe('the measured parts of the technical report', () => {
  it('equal what bench/results.json, docs/results and the mutation report say (run npm run docs)', async () => {
    expect(REPORT, 'docs/technical-report.md is stale: run npm run docs').toBe(refreshGenerated(REPORT, await reportBlocks(ROOT)));
  });

  it('render every bench row with its ratio, goal and verdict, and count the rows that pass', () => {
    const block = benchBlock(bench);
    expect(block).toContain('| B1 | transfers ÷ pgbench | 0.51 | ≥ 0.5 | pass |');
    expect(block).toContain('| B12 | deposits \\| transfers | 0.33 | ≥ 0.5 | not reached |');
    expect(block).toContain('| B7 | history | — | ≤ 2 | not measured |');
    expect(block).toContain('1 of 2 measured rows reach their goal');
    expect(block).toContain('on 2026-12-07: 50 connections, 30 s per measurement after 10 s');
    expect(block).toContain('- **B12**: 33 ÷ 100');
    expect(() => benchBlock({ ...bench, quick: true })).toThrow(/a quick run/);
  });

  it('sum the attack suites and say a failure plainly', () => {
    const block = securityBlock({
      at: '2026-12-07T11:00:00.000Z',
      commit: 'abc1234',
      command: 'npx vitest run test/security',
      files: [
        { file: 'test/security/a.test.ts', passed: 3, failed: 0, skipped: 0 },
        { file: 'test/security/b.test.ts', passed: 4, failed: 1, skipped: 2 },
      ],
    });
    expect(block).toContain('**7 passed, 1 failed**, 2 skipped');
    expect(block).toContain('| `test/security/b.test.ts` | 4 | 1 |');
    expect(block).toContain('commit `abc1234`');
  });

  it('quote the fault suite, failed or passed', () => {
    const run = { at: '2026-12-07T11:00:00.000Z', commit: 'abc1234', command: 'npm run test:faults', summary: 'faults: 4 kills; 0 lost' };
    expect(faultsBlock({ ...run, passed: true })).toContain('**passed**');
    expect(faultsBlock({ ...run, passed: false })).toContain('**failed**');
    expect(faultsBlock({ ...run, passed: true })).toContain('faults: 4 kills;\n  0 lost');
  });

  it('give the mutation score over the mutants that count', () => {
    expect(mutationBlock({ files: 2, valid: 200, detected: 190, survived: 8, noCoverage: 2 })).toContain(
      '**95.00 %** of 200 mutants over 2 files are detected by a test (190 killed or timed out, 8 survived, 2 without coverage)',
    );
  });

  it('refuse a block without data, and data without a block', () => {
    const md = 'a\n<!-- generated: bench -->\nold\n<!-- /generated -->\nb\n';
    expect(refreshGenerated(md, { bench: 'new' })).toBe('a\n<!-- generated: bench -->\nnew\n<!-- /generated -->\nb\n');
    expect(() => refreshGenerated(md, {})).toThrow(/no data for the generated block "bench"/);
    expect(() => refreshGenerated(md, { bench: 'x', faults: 'y' })).toThrow(/no place for: faults/);
  });
});

describe('the diagrams', () => {
  const sources = readdirSync(DIAGRAMS)
    .filter((f) => f.endsWith('.mmd'))
    .map((f) => f.slice(0, -4));

  it('are the three the design asks for, three sequence diagrams and the data model (whole, and its overview)', () => {
    expect(sources.sort()).toEqual(
      ['client-server', 'er', 'er-overview', 'redis-caching', 'sequence-card-authorization', 'sequence-deposit', 'sequence-transfer', 'system'].sort(),
    );
  });

  it('each have a rendered SVG and PNG, and the architecture diagrams a draw.io file', () => {
    for (const name of sources) {
      for (const ext of ['svg', 'png'])
        expect(existsSync(path.join(DIAGRAMS, `${name}.${ext}`)), `${name}.${ext}: run npm run docs`).toBe(true);
      const svg = readFileSync(path.join(DIAGRAMS, `${name}.svg`), 'utf8');
      // Labels as SVG text: a foreignObject shows blank in many viewers and in draw.io.
      expect(svg, name).not.toContain('<foreignObject');
      expect(
        readFileSync(path.join(DIAGRAMS, `${name}.png`))
          .subarray(1, 4)
          .toString(),
      ).toBe('PNG');
    }
    for (const name of DRAWIO_DIAGRAMS) {
      expect(readFileSync(path.join(DIAGRAMS, `${name}.drawio`), 'utf8')).toMatch(/^<mxfile [\s\S]*<\/mxfile>\n$/);
    }
  });

  it('are all in the report, which shows no figure that is not committed', () => {
    const figures = [...REPORT.matchAll(/!\[[^\]]*\]\(diagrams\/([a-z-]+)\.svg\)/g)].map((m) => m[1]);
    // The whole data model with every column is for a screen: on paper it is the overview and the table of columns.
    expect(figures.sort()).toEqual(sources.filter((s) => s !== 'er').sort());
    expect(REPORT).toContain('<!-- generated: tables -->');
  });

  it('name the real parts: every Redis key and channel the Redis diagram shows is one the code uses', () => {
    const diagram = readFileSync(path.join(DIAGRAMS, 'redis-caching.mmd'), 'utf8');
    const code = ['src/cache', 'src/http', 'src/app', 'src/domain/events']
      .flatMap((dir) => readdirSync(path.join(ROOT, dir), { recursive: true, encoding: 'utf8' }).map((f) => path.join(ROOT, dir, f)))
      .filter((f) => f.endsWith('.ts'))
      .map((f) => readFileSync(f, 'utf8'))
      .join('\n');
    const prefixes = [
      'cache-gen:',
      'acct:',
      'hist:',
      'hist-gen:',
      'live-session:',
      'recipient-seen:',
      'apq:docs',
      'apq:order',
      'apq:bytes',
      "'apollo:'",
    ];
    for (const prefix of prefixes) {
      expect(code, prefix).toContain(prefix.replace(/'/g, '').replace(/:$/, ''));
      expect(diagram, prefix).toContain(prefix.replace(/'/g, ''));
    }
    for (const topic of ['balance', 'transaction', 'card', 'session-revoked']) {
      expect(code).toMatch(new RegExp(`= '${topic}'`));
      expect(diagram).toContain(`events:${topic}:`);
    }
  });
});
