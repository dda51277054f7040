import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import type { FlowchartLayout } from './drawio.js';

/**
 * Mermaid sources rendered in Debian's Chromium (offline: Mermaid's own bundle from
 * node_modules, no network): an SVG whose labels are SVG text (no HTML inside `foreignObject`,
 * so it shows the same in any SVG viewer and in a PDF), a PNG at twice the size, and for
 * flowcharts where every node and subgraph landed, for the draw.io export and for the checks
 * a reader would otherwise make by eye: no two boxes overlap, no label spills out of its box.
 */

/** The diagrams' text size at natural size, in CSS pixels (the report checks what it prints at). */
export const DIAGRAM_FONT_PX = 15;

/** One family everywhere, with fallbacks of the same widths (DejaVu Sans is Verdana's metrics). */
export const DIAGRAM_FONT = '"DejaVu Sans", Verdana, Arial, sans-serif';

export interface RenderedDiagram {
  name: string;
  svg: string;
  png: Buffer;
  /** Flowcharts only. */
  layout?: FlowchartLayout;
  /** What a reader would call a defect: overlapping boxes, a label wider than its box. */
  defects: string[];
}

const require = createRequire(import.meta.url);

/**
 * The code that runs in the page (plain JavaScript: the project's TypeScript has no DOM types),
 * beside this file in the sources, or found from dist/scripts/docs when compiled.
 */
export const IN_PAGE = [
  path.join(path.dirname(fileURLToPath(import.meta.url)), 'in-page.js'),
  path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../scripts/docs/in-page.js'),
].find((file) => existsSync(file))!;

type InPage = {
  renderDiagram(id: string, text: string): Promise<{ svg: string; layout: FlowchartLayout | null; defects: string[] }>;
};

async function mermaidPage(browser: Browser): Promise<Page> {
  const page = await browser.newPage({ deviceScaleFactor: 2, viewport: { width: 2400, height: 1600 } });
  await page.setContent(`<!doctype html><html><head><meta charset="utf-8"><style>
    body { margin: 0; background: #fff; font-family: ${DIAGRAM_FONT}; }
    #out { display: inline-block; padding: 16px; background: #fff; }
  </style></head><body><div id="out"></div></body></html>`);
  await page.addScriptTag({ path: require.resolve('mermaid/dist/mermaid.min.js') });
  await page.addScriptTag({ path: IN_PAGE });
  await page.evaluate(
    ([font, size]) => {
      const m = (globalThis as unknown as { mermaid: { initialize(c: object): void } }).mermaid;
      m.initialize({
        startOnLoad: false,
        securityLevel: 'strict',
        theme: 'neutral',
        fontFamily: font,
        htmlLabels: false,
        flowchart: { htmlLabels: false, curve: 'basis', nodeSpacing: 30, rankSpacing: 45, padding: 10, wrappingWidth: 360 },
        sequence: {
          useMaxWidth: false,
          mirrorActors: false,
          wrap: true,
          width: 170,
          actorMargin: 20,
          messageMargin: 30,
          showSequenceNumbers: true,
        },
        er: { useMaxWidth: false },
        themeVariables: { fontSize: `${size}px` },
      });
    },
    [DIAGRAM_FONT, DIAGRAM_FONT_PX] as const,
  );
  return page;
}

/** Renders each source; `name` is the file's name without `.mmd`. */
export async function renderDiagrams(browser: Browser, sources: { name: string; text: string }[]): Promise<RenderedDiagram[]> {
  const page = await mermaidPage(browser);
  const rendered: RenderedDiagram[] = [];
  try {
    for (const { name, text } of sources) {
      const result = await page
        .evaluate(({ id, text }) => (globalThis as unknown as InPage).renderDiagram(id, text), { id: `d-${name}`, text })
        .catch((err: Error) => {
          throw new Error(`docs/diagrams/${name}.mmd: ${err.message}`, { cause: err });
        });
      const png = await page.locator('#out').screenshot({ type: 'png' });
      rendered.push({
        name,
        svg: `<?xml version="1.0" encoding="UTF-8"?>\n${result.svg}\n`,
        png,
        layout: result.layout ?? undefined,
        defects: result.defects,
      });
    }
  } finally {
    await page.close();
  }
  return rendered;
}
