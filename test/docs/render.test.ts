import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, CHROMIUM_ARGS, ensureChromium } from '../../scripts/chromium.js';
import { DRAWIO_DIAGRAMS } from '../../scripts/docs/diagram-names.js';
import { renderDiagrams, type RenderedDiagram } from '../../scripts/docs/diagrams.js';
import { toDrawio, type FlowchartLayout } from '../../scripts/docs/drawio.js';
import { erOverview } from '../../scripts/docs/er-overview.js';
import { expandIncludes, renderReport } from '../../scripts/docs/report.js';

/**
 * `npm run docs` in Debian's Chromium, as a reader would check its output: every committed
 * diagram source renders without overlapping boxes or spilling labels, its committed SVG says
 * what the source says and its draw.io file has the same boxes and arrows; the report prints
 * with numbered sections, a contents page whose numbers are the pages the sections start on,
 * wide figures on landscape pages, and refuses a page with something wider than its column.
 */

const ROOT = path.resolve(import.meta.dirname, '../..');
const DIAGRAMS = path.join(ROOT, 'docs/diagrams');
let browser: Browser;
let rendered: RenderedDiagram[];

beforeAll(async () => {
  if (!ensureChromium()) throw new Error(`${CHROMIUM} is missing: apt-get install chromium`);
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  const names = readdirSync(DIAGRAMS).filter((f) => f.endsWith('.mmd'));
  rendered = await renderDiagrams(
    browser,
    names.map((f) => ({ name: f.slice(0, -4), text: readFileSync(path.join(DIAGRAMS, f), 'utf8') })),
  );
}, 120_000);

afterAll(async () => {
  await browser?.close();
});

/** The words of an SVG, in order: what a reader reads, whatever the geometry. */
const words = (svg: string) =>
  [...svg.matchAll(/<text[^>]*>([\s\S]*?)<\/text>/g)]
    .map((m) => m[1].replace(/<[^>]+>/g, ' '))
    .join(' ')
    .replace(/\s+/g, ' ')
    .trim();

describe('the diagrams', () => {
  it('render from their sources with no overlapping boxes and no label outside its box', () => {
    expect(rendered.length).toBeGreaterThanOrEqual(8);
    for (const d of rendered) expect(d.defects, d.name).toEqual([]);
  });

  it('report what a reader would see as a defect: a name wider than its box, text outside the picture', async () => {
    const [seq] = await renderDiagrams(browser, [
      { name: 'fixture', text: 'sequenceDiagram\n  participant A as PaymentWebhookAuthorization<br/>Service\n  participant B\n  A->>B: hi\n' },
    ]);
    expect(seq.defects).toEqual([expect.stringContaining('is wider than its box')]);
    await expect(renderDiagrams(browser, [{ name: 'broken', text: 'flowchart TB\n  a --> \n' }])).rejects.toThrow(/docs\/diagrams\/broken\.mmd/);
  });

  it('are committed as rendered from their sources (run npm run docs)', () => {
    for (const d of rendered) {
      const committed = readFileSync(path.join(DIAGRAMS, `${d.name}.svg`), 'utf8');
      expect(words(committed), `docs/diagrams/${d.name}.svg is stale: run npm run docs`).toBe(words(d.svg));
      expect(words(d.svg).length, d.name).toBeGreaterThan(20);
    }
  });

  it('keep the overview of the data model equal to the full one, without the columns', () => {
    const committed = readFileSync(path.join(DIAGRAMS, 'er-overview.mmd'), 'utf8');
    expect(committed, 'run npm run docs').toBe(erOverview(readFileSync(path.join(DIAGRAMS, 'er.mmd'), 'utf8')));
  });

  it('export the architecture diagrams to draw.io with every box and arrow of the source', () => {
    for (const name of DRAWIO_DIAGRAMS) {
      const d = rendered.find((r) => r.name === name)!;
      const layout = d.layout!;
      expect(layout.nodes.length, name).toBeGreaterThan(5);
      const committed = readFileSync(path.join(DIAGRAMS, `${name}.drawio`), 'utf8');
      const vertices = [...committed.matchAll(/<mxCell id="node-([^"]+)"/g)].map((m) => m[1]).sort();
      expect(vertices, `${name}.drawio is stale: run npm run docs`).toEqual(
        layout.nodes.map((n) => n.id.replace(/[^A-Za-z0-9_-]/g, '_')).sort(),
      );
      const edges = [...committed.matchAll(/source="node-([^"]+)" target="node-([^"]+)"/g)].map((m) => `${m[1]}>${m[2]}`).sort();
      expect(edges, name).toEqual(layout.edges.map((e) => `${e.from}>${e.to}`).sort());
      const clusters = [...committed.matchAll(/<mxCell id="cluster-([^"]+)"/g)].map((m) => m[1]).sort();
      expect(clusters, name).toEqual(layout.clusters.map((c) => c.id).sort());
    }
  });

  it("open in draw.io's own graph library (mxGraph): every box, frame and connector decoded, each connector joined to its two boxes", async () => {
    const page = await browser.newPage();
    try {
      await page.setContent('<!doctype html><html><body></body></html>');
      await page.evaluate(() => Object.assign(globalThis, { mxLoadResources: false, mxLoadStylesheets: false, mxBasePath: '.' }));
      await page.addScriptTag({ path: path.join(ROOT, 'node_modules/mxgraph/javascript/mxClient.min.js') });
      for (const name of DRAWIO_DIAGRAMS) {
        const xml = readFileSync(path.join(DIAGRAMS, `${name}.drawio`), 'utf8');
        const decoded = await page.evaluate((text) => {
          type Cell = { vertex: boolean; edge: boolean; source: Cell | null; target: Cell | null; id: string; value: unknown };
          const g = globalThis as unknown as {
            mxUtils: { parseXml(t: string): { documentElement: { getElementsByTagName(n: string): ArrayLike<unknown> } } };
            mxCodec: new (doc: unknown) => { decode(node: unknown, into: unknown): void };
            mxGraphModel: new () => { cells: Record<string, Cell> };
          };
          const doc = g.mxUtils.parseXml(text);
          const model = new g.mxGraphModel();
          new g.mxCodec(doc).decode(doc.documentElement.getElementsByTagName('mxGraphModel')[0], model);
          const cells = Object.values(model.cells);
          return {
            vertices: cells.filter((c) => c.vertex).length,
            edges: cells.filter((c) => c.edge).length,
            joined: cells.filter((c) => c.edge && c.source?.vertex && c.target?.vertex).length,
            labelled: cells.filter((c) => c.vertex && typeof c.value === 'string' && c.value.length > 0).length,
          };
        }, xml);
        const layout = rendered.find((r) => r.name === name)!.layout!;
        expect(decoded, name).toEqual({
          vertices: layout.nodes.length + layout.clusters.length,
          edges: layout.edges.length,
          joined: layout.edges.length,
          labelled: layout.nodes.length + layout.clusters.length,
        });
      }
    } finally {
      await page.close();
    }
  });

  it('write draw.io files that are well-formed XML with labels escaped twice (XML, then draw.io HTML)', async () => {
    const layout: FlowchartLayout = {
      width: 300,
      height: 200,
      nodes: [
        { id: 'a', label: 'Fish & "chips"\n<b>', shape: 'cylinder', x: 0, y: 0, width: 100, height: 40 },
        { id: 'b.c', label: 'B', shape: 'unknown-shape', x: 150, y: 100, width: 100, height: 40 },
      ],
      clusters: [{ id: 'g', label: 'Group', x: -10, y: -10, width: 300, height: 200 }],
      edges: [{ from: 'a', to: 'b.c', label: 'x < y', stroke: 'dotted' }],
    };
    const xml = toDrawio('Test & co', layout);
    const page = await browser.newPage();
    try {
      const parsed = await page.evaluate((text) => {
        const doc = new (
          globalThis as unknown as { DOMParser: new () => { parseFromString(t: string, m: string): unknown } }
        ).DOMParser().parseFromString(text, 'application/xml') as {
          querySelector(s: string): { getAttribute(a: string): string } | null;
          querySelectorAll(s: string): ArrayLike<unknown>;
        };
        return {
          error: doc.querySelector('parsererror') !== null,
          value: doc.querySelector('mxCell[id="node-a"]')?.getAttribute('value'),
          style: doc.querySelector('mxCell[id="node-a"]')?.getAttribute('style'),
          edge: doc.querySelector('mxCell[edge="1"]')?.getAttribute('target'),
          edgeStyle: doc.querySelector('mxCell[edge="1"]')?.getAttribute('style'),
          name: doc.querySelector('diagram')?.getAttribute('name'),
          cells: doc.querySelectorAll('mxCell').length,
        };
      }, xml);
      expect(parsed).toEqual({
        error: false,
        value: 'Fish &amp; &quot;chips&quot;<br>&lt;b&gt;',
        style: expect.stringContaining('shape=cylinder3'),
        edge: 'node-b_c',
        edgeStyle: expect.stringContaining('dashed=1'),
        name: 'Test & co',
        cells: 6,
      });
    } finally {
      await page.close();
    }
    expect(() => toDrawio('x', { ...layout, edges: [{ from: 'a', to: 'nowhere', label: '', stroke: 'normal' }] })).toThrow(/nowhere/);
  });
});

describe('the report', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'report-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const wide = readFileSync(path.join(DIAGRAMS, 'redis-caching.svg'));
  writeFileSync(path.join(dir, 'wide.svg'), wide);
  writeFileSync(path.join(dir, 'part.md'), '# Dropped title\n\n## Included section\n\nIncluded text.\n\n```graphql\n# a comment, not a heading\n```\n');
  const lorem = Array.from({ length: 60 }, (_, i) => `Paragraph ${i}: ${'words that fill the page '.repeat(12)}`).join('\n\n');
  const markdown = [
    '# The title',
    '',
    'The introduction, on the title page.',
    '',
    '## First section',
    '',
    lorem,
    '',
    '### A subsection',
    '',
    'See [the code](../src/app.ts) and [the web](https://example.org/).',
    '',
    '![A wide figure](wide.svg)',
    '',
    '## Second section',
    '',
    '<!-- include: part.md -->',
  ].join('\n');

  it('includes a file without its title, its headings moved down two levels', async () => {
    const expanded = await expandIncludes(markdown, dir);
    expect(expanded).toContain('#### Included section');
    expect(expanded).not.toContain('Dropped title');
    expect(expanded).toContain('\n# a comment, not a heading\n');
  });

  it('prints a title page, contents with the pages the sections start on, numbered sections, and a wide figure on a landscape page', async () => {
    const { pdf, headings, pages, total } = await renderReport(browser, {
      markdown,
      docsDir: dir,
      subtitle: 'Sub',
      version: '9.9.9',
      date: '2026-01-02',
    });
    expect(headings.map((h) => `${h.number} ${h.text}`)).toEqual(['1 First section', '1.1 A subsection', '2 Second section']);
    const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
    const doc = await pdfjs.getDocument({ data: new Uint8Array(pdf), isEvalSupported: false }).promise;
    expect(total).toBe(doc.numPages);
    const texts: string[] = [];
    const landscape: number[] = [];
    for (let i = 1; i <= doc.numPages; i++) {
      const page = await doc.getPage(i);
      const [, , w, h] = page.view;
      if (w > h) landscape.push(i);
      const content = await page.getTextContent();
      texts.push(content.items.map((item) => ('str' in item ? item.str : '')).join(' ').replace(/\s+/g, ' '));
    }
    await doc.destroy();
    expect(texts[0]).toContain('The title');
    expect(texts[0]).toContain('The introduction, on the title page.');
    expect(texts[0]).toContain('Version 9.9.9');
    expect(texts[1]).toContain('Contents');
    // Each section starts on the page the contents give it, and the contents say so.
    for (const h of headings) {
      const n = pages.get(h.id)!;
      expect(texts[n - 1], `${h.number} ${h.text} on page ${n}`).toContain(`${h.number} ${h.text}`);
      expect(texts[1]).toMatch(new RegExp(`${h.text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s+${n}\\b`));
    }
    expect(pages.get(headings[0].id)).toBe(3);
    expect(pages.get(headings[2].id)).toBeGreaterThan(pages.get(headings[0].id)! + 1);
    // The wide figure has a landscape page; the rest are portrait.
    expect(landscape).toHaveLength(1);
    expect(texts[landscape[0] - 1]).toContain('Figure 1. A wide');
    // Page numbers in the footer; a link into the repository keeps its words.
    expect(texts[2]).toMatch(/3 \/ \d+/);
    expect(texts.join(' ')).toContain('See the code and the web');
    expect(texts.join(' ')).toContain('Included text.');
  }, 60_000);

  it('refuses to print a page with something wider than its column, or a figure whose text would be unreadable', async () => {
    const tooWide = '# T\n\n## S\n\n<table style="width: 300mm"><tr><td>wide</td></tr></table>\n';
    await expect(renderReport(browser, { markdown: tooWide, docsDir: dir, subtitle: '', version: '1', date: 'today' })).rejects.toThrow(
      /table "wide" is wider than the text column/,
    );
    const huge = `<svg xmlns="http://www.w3.org/2000/svg" width="4000" height="3000" viewBox="0 0 4000 3000"><text x="10" y="20">tiny</text></svg>`;
    writeFileSync(path.join(dir, 'huge.svg'), huge);
    await expect(
      renderReport(browser, { markdown: '# T\n\n## S\n\n![Huge](huge.svg)\n', docsDir: dir, subtitle: '', version: '1', date: 'today' }),
    ).rejects.toThrow(/huge\.svg prints its text at \d\.\d px/);
  }, 60_000);

  it('is committed as built: the PDF carries every section of docs/technical-report.md and its measured figures', async () => {
    const md = readFileSync(path.join(ROOT, 'docs/technical-report.md'), 'utf8');
    const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
    const doc = await pdfjs.getDocument({
      data: new Uint8Array(readFileSync(path.join(ROOT, 'docs/technical-report.pdf'))),
      isEvalSupported: false,
    }).promise;
    type Item = { title: string; items: Item[] };
    const flat = (items: Item[]): string[] => items.flatMap((item) => [item.title.replace(/\s+/g, ' ').trim(), ...flat(item.items)]);
    const outline = flat((await doc.getOutline()) ?? []);
    let text = '';
    for (let i = 1; i <= doc.numPages; i++) {
      const content = await (await doc.getPage(i)).getTextContent();
      text += ` ${content.items.map((item) => ('str' in item ? item.str : '')).join(' ')}`;
    }
    await doc.destroy();
    const sections = [...md.matchAll(/^## (.+)$/gm)].map((m) => m[1]);
    expect(sections.length).toBeGreaterThan(10);
    sections.forEach((title, i) => expect(outline, 'docs/technical-report.pdf is stale: run npm run docs').toContain(`${i + 1} ${title}`));
    const score = /\*\*(\d+\.\d+ %)\*\* of (\d+) mutants/.exec(md)!;
    expect(text.replace(/\s+/g, ' ')).toContain(`${score[1]} of ${score[2]} mutants`);
  }, 60_000);
});
