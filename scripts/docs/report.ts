import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Marked, type Tokens } from 'marked';
import type { Browser, Page } from 'playwright-core';
import { DIAGRAM_FONT_PX, IN_PAGE } from './diagrams.js';

/** The smallest size a diagram's text may print at, in CSS pixels (6 px is 4.5 pt). */
export const MIN_PRINTED_FONT_PX = 6;

/**
 * docs/technical-report.md as a PDF, in Debian's Chromium: a title page, the contents with
 * page numbers, numbered sections, figures numbered under their diagrams, page numbers in the
 * footer. Chromium cannot say on which page a heading lands, so the PDF is printed twice: the
 * first time with an outline (the PDF's bookmarks), which pdf.js reads back to learn each
 * heading's page; the second time with those numbers in the contents, which take the same
 * room as the placeholders they replace, so nothing moves.
 *
 * Before printing, the page is checked as a reader would look at it: nothing wider than the
 * text column (tables, code, figures), every image loaded. A defect stops the build.
 */

export interface ReportInput {
  /** The Markdown, with `<!-- include: file.md -->` lines (read relative to `docsDir`). */
  markdown: string;
  docsDir: string;
  /** Shown on the title page. */
  subtitle: string;
  version: string;
  date: string;
}

export interface Heading {
  level: 2 | 3;
  number: string;
  text: string;
  id: string;
}

const slug = (text: string) =>
  text
    .toLowerCase()
    .replace(/<[^>]+>/g, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');

const escapeHtml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** Expands `<!-- include: file.md -->`: the file's title goes, its other headings move two levels down (`##` becomes `####`). */
export async function expandIncludes(markdown: string, docsDir: string): Promise<string> {
  const parts = markdown.split(/^<!-- include: (\S+) -->$/m);
  const out: string[] = [];
  for (let i = 0; i < parts.length; i++) {
    if (i % 2 === 0) {
      out.push(parts[i]);
      continue;
    }
    // Its title goes: the section that includes it has one.
    const text = (await readFile(path.join(docsDir, parts[i]), 'utf8')).replace(/^# .*\n/, '');
    let fenced = false;
    const lines = text.split('\n').map((line) => {
      if (line.startsWith('```')) fenced = !fenced;
      // A `#` inside a code block is code, not a heading.
      return fenced ? line : line.replace(/^(#{1,4}) /, (_, hashes: string) => `${'#'.repeat(hashes.length + 2)} `);
    });
    out.push(lines.join('\n'));
  }
  return out.join('');
}

/**
 * A wide diagram gets a landscape page of its own, where it prints half as large again: an SVG
 * wider than 1.25 times its height and too wide to keep its text at the diagram's size.
 */
function orientation(file: string): 'landscape' | 'portrait' {
  if (!file.endsWith('.svg') || !existsSync(file)) return 'portrait';
  const viewBox = /viewBox="[-\d.]+ [-\d.]+ ([\d.]+) ([\d.]+)"/.exec(readFileSync(file, 'utf8').slice(0, 4000));
  if (!viewBox) return 'portrait';
  const [width, height] = [Number(viewBox[1]), Number(viewBox[2])];
  return width / height > 1.25 && width > 700 ? 'landscape' : 'portrait';
}

/** The report's HTML body: numbered headings (the first `#` is the title), figures, and the headings for the contents. */
export function renderBody(markdown: string, docsDir: string): { title: string; intro: string; body: string; headings: Heading[] } {
  const headings: Heading[] = [];
  const counters = [0, 0];
  let figures = 0;
  let title = '';
  const used = new Set<string>();
  const marked = new Marked({ gfm: true });
  marked.use({
    renderer: {
      heading(this: { parser: { parseInline(t: Tokens.Generic[]): string } }, token: Tokens.Heading) {
        const inner = this.parser.parseInline(token.tokens);
        if (token.depth === 1) {
          title = inner;
          return '';
        }
        let id = slug(token.text);
        while (used.has(id)) id = `${id}-x`;
        used.add(id);
        if (token.depth === 2 || token.depth === 3) {
          if (token.depth === 2) {
            counters[0] += 1;
            counters[1] = 0;
          } else {
            counters[1] += 1;
          }
          const number = token.depth === 2 ? `${counters[0]}` : `${counters[0]}.${counters[1]}`;
          headings.push({ level: token.depth, number, text: inner.replace(/<[^>]+>/g, ''), id });
          return `<h${token.depth} id="${id}"><span class="num">${number}</span> ${inner}</h${token.depth}>\n`;
        }
        return `<h${token.depth} id="${id}">${inner}</h${token.depth}>\n`;
      },
      image(token: Tokens.Image) {
        figures += 1;
        const file = path.join(docsDir, token.href);
        const src = /^[a-z]+:/.test(token.href) ? token.href : pathToFileURL(file).href;
        return (
          `<figure class="${orientation(file)}"><img src="${escapeHtml(src)}" alt="${escapeHtml(token.text)}">` +
          `<figcaption>Figure ${figures}. ${escapeHtml(token.text)}</figcaption></figure>`
        );
      },
      link(this: { parser: { parseInline(t: Tokens.Generic[]): string } }, token: Tokens.Link) {
        const inner = this.parser.parseInline(token.tokens);
        // Links into the repository mean nothing on paper: keep the words, drop the link.
        if (!/^(https?:|mailto:|#)/.test(token.href)) return `<span class="ref">${inner}</span>`;
        return `<a href="${escapeHtml(token.href)}">${inner}</a>`;
      },
    },
  });
  const html = marked.parse(markdown, { async: false });
  // What comes before the first numbered section is the title page's introduction.
  const first = html.search(/<h2 /);
  return { title, intro: first > 0 ? html.slice(0, first) : '', body: first >= 0 ? html.slice(first) : html, headings };
}

const CSS = `
@page { size: A4; margin: 20mm 18mm 20mm 18mm; }
@page wide { size: A4 landscape; margin: 14mm 16mm 16mm 16mm; }
figure.landscape { page: wide; }
figure.landscape img { max-height: 160mm; }
html { font-family: "DejaVu Serif", Georgia, serif; font-size: 10.5pt; line-height: 1.45; color: #1d1d22; }
body { margin: 0; }
h1, h2, h3, h4, h5, h6, figcaption, th, .toc, .title-page { font-family: "DejaVu Sans", Verdana, sans-serif; }
h2 { font-size: 17pt; margin: 0 0 10pt; padding-bottom: 4pt; border-bottom: 1.5pt solid #4f5b93; break-before: page; }
h3 { font-size: 12.5pt; margin: 16pt 0 6pt; break-after: avoid; }
h4 { font-size: 11pt; margin: 12pt 0 4pt; break-after: avoid; }
h5, h6 { font-size: 10pt; margin: 10pt 0 4pt; break-after: avoid; }
h2 .num, h3 .num { color: #4f5b93; margin-right: 6pt; }
p { margin: 0 0 7pt; text-align: left; orphans: 3; widows: 3; }
ul, ol { margin: 0 0 7pt; padding-left: 16pt; }
li { margin: 0 0 2pt; }
code { font-family: "DejaVu Sans Mono", monospace; font-size: 8.6pt; background: #f1f2f6; padding: 0 2pt; border-radius: 2pt;
  overflow-wrap: break-word; }
pre { font-size: 8.4pt; background: #f6f7fa; border: 0.6pt solid #d6d8e0; padding: 6pt 8pt; white-space: pre-wrap;
  overflow-wrap: anywhere; break-inside: avoid; }
pre code { background: none; padding: 0; font-size: inherit; }
table { border-collapse: collapse; width: 100%; margin: 4pt 0 10pt; font-size: 8.6pt; line-height: 1.3; break-inside: auto; }
thead { display: table-header-group; }
tr { break-inside: avoid; }
th, td { border: 0.5pt solid #c9ccd6; padding: 2.5pt 4pt; vertical-align: top; text-align: left; overflow-wrap: break-word; }
th { background: #eef0f7; font-weight: bold; }
td code, th code { font-size: 8pt; }
figure { margin: 8pt 0 12pt; text-align: center; break-inside: avoid; }
figure img { max-width: 100%; max-height: 232mm; }
figcaption { font-size: 8.8pt; color: #4a4d5a; margin-top: 4pt; }
blockquote { margin: 0 0 8pt; padding: 2pt 10pt; border-left: 2.5pt solid #c9ccd6; color: #3b3d47; }
a { color: #2f3d8f; text-decoration: none; }
.title-page { height: 250mm; display: flex; flex-direction: column; justify-content: center; break-after: page; }
.title-page .title { font-family: "DejaVu Sans", Verdana, sans-serif; font-weight: bold; font-size: 28pt; margin: 0 0 8pt; color: #1f2557; line-height: 1.2; }
.title-page .subtitle { font-size: 13pt; color: #4f5b93; margin-bottom: 28pt; }
.title-page .meta { font-size: 9.5pt; color: #4a4d5a; margin-top: 24pt; }
.title-page .intro { font-family: "DejaVu Serif", Georgia, serif; font-size: 10.5pt; max-width: 150mm; }
.toc h2 { break-before: avoid; }
.toc ol { list-style: none; padding: 0; margin: 0; }
.toc li { display: flex; align-items: baseline; margin: 0; line-height: 1.55; }
.toc li.l2 { font-weight: bold; margin-top: 5pt; }
.toc li.l3 { padding-left: 18pt; font-size: 9.5pt; }
.toc .n { min-width: 24pt; color: #4f5b93; }
.toc .l3 .n { min-width: 30pt; }
.toc .dots { flex: 1; border-bottom: 0.8pt dotted #9a9aa8; margin: 0 4pt; transform: translateY(-3pt); }
.toc .p { min-width: 18pt; text-align: right; font-variant-numeric: tabular-nums; }
`;

function contents(headings: Heading[], pages: Map<string, number> | undefined): string {
  const items = headings.map((h) => {
    const page = pages?.get(h.id);
    return (
      `<li class="l${h.level}"><span class="n">${h.number}</span><a href="#${h.id}">${escapeHtml(h.text)}</a>` +
      `<span class="dots"></span><span class="p">${page ?? '000'}</span></li>`
    );
  });
  return `<section class="toc"><h2 id="contents" class="unnumbered">Contents</h2><ol>${items.join('')}</ol></section>`;
}

function document(input: ReportInput, rendered: ReturnType<typeof renderBody>, pages: Map<string, number> | undefined): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${rendered.title.replace(/<[^>]+>/g, '')}</title>
<style>${CSS}</style></head><body>
<section class="title-page"><div class="title">${rendered.title}</div><div class="subtitle">${escapeHtml(input.subtitle)}</div>
<div class="intro">${rendered.intro}</div>
<div class="meta">Version ${escapeHtml(input.version)} · ${escapeHtml(input.date)}</div></section>
${contents(rendered.headings, pages)}
${rendered.body}
</body></html>`;
}

const FOOTER = `<div style="font-family: 'DejaVu Sans', sans-serif; font-size: 8pt; color: #6b6e7a; width: 100%; padding: 0 18mm;
  display: flex; justify-content: space-between;"><span class="title"></span><span><span class="pageNumber"></span> / <span class="totalPages"></span></span></div>`;

async function print(page: Page, html: string, file: string): Promise<Buffer> {
  await page.goto(file);
  await page.setContent(html, { waitUntil: 'load' });
  await page.evaluate(() => (globalThis as unknown as { document: { fonts: { ready: Promise<unknown> } } }).document.fonts.ready);
  return page.pdf({
    format: 'A4',
    printBackground: true,
    outline: true,
    tagged: true,
    displayHeaderFooter: true,
    headerTemplate: '<span></span>',
    footerTemplate: FOOTER,
    preferCSSPageSize: true,
  });
}

/** What a reader would call a defect, found in the laid-out page before it is printed (scripts/docs/in-page.js). */
async function layoutDefects(page: Page): Promise<string[]> {
  // The text column of an A4 portrait page (210 mm less 2 × 18 mm), as the printed layout has it.
  await page.setViewportSize({ width: 658, height: 1000 });
  await page.addScriptTag({ path: IN_PAGE });
  await page.evaluate(
    ([font, min]) => Object.assign(globalThis, { DIAGRAM_FONT_PX: font, MIN_PRINTED_FONT_PX: min }),
    [DIAGRAM_FONT_PX, MIN_PRINTED_FONT_PX],
  );
  return page.evaluate(() => (globalThis as unknown as { layoutDefects(): string[] }).layoutDefects());
}

/** The page on which each heading (by id) starts, read from the PDF's outline with pdf.js. */
export async function headingPages(pdf: Uint8Array, headings: Heading[]): Promise<Map<string, number> & { total?: number }> {
  const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
  const doc = await pdfjs.getDocument({ data: pdf, useSystemFonts: true, isEvalSupported: false }).promise;
  try {
    const outline = (await doc.getOutline()) ?? [];
    const byTitle = new Map<string, number>();
    const walk = async (items: typeof outline) => {
      for (const item of items) {
        const dest = typeof item.dest === 'string' ? await doc.getDestination(item.dest) : item.dest;
        if (dest && typeof dest[0] === 'object' && dest[0] !== null) {
          const title = item.title.replace(/\s+/g, ' ').trim();
          if (!byTitle.has(title)) byTitle.set(title, (await doc.getPageIndex(dest[0] as { num: number; gen: number })) + 1);
        }
        await walk(item.items);
      }
    };
    await walk(outline);
    const pages: Map<string, number> & { total?: number } = new Map<string, number>();
    pages.total = doc.numPages;
    for (const h of headings) {
      const page = byTitle.get(`${h.number} ${h.text}`.replace(/\s+/g, ' ').trim());
      if (page === undefined) {
        throw new Error(
          `the PDF's outline has no heading "${h.number} ${h.text}" (it has: ${[...byTitle.keys()].slice(0, 8).join(' | ')} …)`,
        );
      }
      pages.set(h.id, page);
    }
    return pages;
  } finally {
    await doc.destroy();
  }
}

/** The PDF of the report. */
export async function renderReport(
  browser: Browser,
  input: ReportInput,
): Promise<{ pdf: Buffer; headings: Heading[]; pages: Map<string, number>; total: number }> {
  const markdown = await expandIncludes(input.markdown, input.docsDir);
  const rendered = renderBody(markdown, input.docsDir);
  const page = await browser.newPage();
  try {
    // A file: page, so that the figures (file: URLs) may load.
    const base = pathToFileURL(`${input.docsDir}${path.sep}`).href;
    const first = await print(page, document(input, rendered, undefined), base);
    const defects = await layoutDefects(page);
    if (defects.length > 0) throw new Error(`the report's layout has defects:\n- ${defects.join('\n- ')}`);
    const pages = await headingPages(new Uint8Array(first), rendered.headings);
    const pdf = await print(page, document(input, rendered, pages), base);
    const check = await headingPages(new Uint8Array(pdf), rendered.headings);
    for (const [id, n] of pages) {
      if (check.get(id) !== n) throw new Error(`heading ${id} moved from page ${n} to ${check.get(id)} between the two prints`);
    }
    return { pdf, headings: rendered.headings, pages, total: check.total ?? 0 };
  } finally {
    await page.close();
  }
}
