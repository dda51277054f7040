import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { renderApiReference } from './api-reference.js';
import { CHROMIUM, CHROMIUM_ARGS, ensureChromium } from './chromium.js';
import { DRAWIO_DIAGRAMS } from './docs/diagram-names.js';
import { renderDiagrams } from './docs/diagrams.js';
import { toDrawio } from './docs/drawio.js';
import { erOverview } from './docs/er-overview.js';
import { refreshGenerated, reportBlocks } from './docs/report-data.js';
import { renderReport } from './docs/report.js';

/**
 * `npm run docs`: every document built from sources, offline.
 *
 * 1. docs/api-reference.md from schema.graphql;
 * 2. docs/diagrams/er.mmd from the migrations (a fresh database, migrated, read, dropped);
 * 3. the measured parts of docs/technical-report.md from their data (bench/results.json,
 *    docs/results/, the mutation report);
 * 4. every docs/diagrams/*.mmd to .svg and .png, the architecture diagrams also to .drawio,
 *    in Debian's Chromium (an explicit path, installed with apt-get when missing; no download);
 * 5. docs/technical-report.pdf.
 *
 * A diagram with overlapping boxes or a label outside its box, or a report page with something
 * wider than its column, stops the build with the list of defects.
 */

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const DOCS = path.join(ROOT, 'docs');
const DIAGRAMS = path.join(DOCS, 'diagrams');

const step = (what: string) => console.log(`docs: ${what}`);

async function main(): Promise<void> {
  step('docs/api-reference.md');
  await writeFile(path.join(DOCS, 'api-reference.md'), renderApiReference(await readFile(path.join(ROOT, 'schema.graphql'), 'utf8')));

  step('docs/diagrams/er.mmd (a fresh database, migrated)');
  execFileSync(process.execPath, [path.join(ROOT, 'dist/scripts/er-diagram.js')], { stdio: 'inherit', cwd: ROOT });
  await writeFile(path.join(DIAGRAMS, 'er-overview.mmd'), erOverview(await readFile(path.join(DIAGRAMS, 'er.mmd'), 'utf8')));

  step('docs/technical-report.md: the measured parts');
  const reportFile = path.join(DOCS, 'technical-report.md');
  const markdown = refreshGenerated(await readFile(reportFile, 'utf8'), await reportBlocks(ROOT));
  await writeFile(reportFile, markdown);

  if (!ensureChromium()) throw new Error(`${CHROMIUM} is missing and could not be installed (apt-get install chromium, as root)`);
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  try {
    const names = (await readdir(DIAGRAMS)).filter((f) => f.endsWith('.mmd')).sort();
    step(`${names.length} diagrams`);
    const sources = await Promise.all(
      names.map(async (f) => ({ name: f.slice(0, -4), text: await readFile(path.join(DIAGRAMS, f), 'utf8') })),
    );
    const rendered = await renderDiagrams(browser, sources);
    const defects = rendered.flatMap((d) => d.defects.map((x) => `${d.name}: ${x}`));
    if (defects.length > 0) throw new Error(`the diagrams have defects:\n- ${defects.join('\n- ')}`);
    for (const d of rendered) {
      await writeFile(path.join(DIAGRAMS, `${d.name}.svg`), d.svg);
      await writeFile(path.join(DIAGRAMS, `${d.name}.png`), d.png);
      if (DRAWIO_DIAGRAMS.includes(d.name)) {
        if (!d.layout) throw new Error(`${d.name}: a draw.io export needs a flowchart`);
        await writeFile(path.join(DIAGRAMS, `${d.name}.drawio`), toDrawio(d.name, d.layout));
      }
    }
    for (const name of DRAWIO_DIAGRAMS) {
      if (!existsSync(path.join(DIAGRAMS, `${name}.drawio`))) throw new Error(`docs/diagrams/${name}.mmd is missing`);
    }

    step('docs/technical-report.pdf');
    const pkg = JSON.parse(await readFile(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };
    const { pdf, total } = await renderReport(browser, {
      markdown,
      docsDir: DOCS,
      subtitle: 'Technical report',
      version: pkg.version,
      date: new Date().toISOString().slice(0, 10),
    });
    await writeFile(path.join(DOCS, 'technical-report.pdf'), pdf);
    step(`done: the report has ${total} pages`);
  } finally {
    await browser.close();
  }
}

await main();
