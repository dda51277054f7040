// @ts-check
/**
 * The fast build behind `npm start` and the scripts that run the built server: each
 * TypeScript file is transpiled on its own with swc into dist/ (the layout `tsc -p
 * tsconfig.build.json` writes), without type-checking; `npm test`, CI and `npm run typecheck`
 * check types, and the Docker image is still built by tsc. Incremental: a file is transpiled
 * again only when its content changed, outputs of deleted files are removed, and any change
 * to swc's version, its options or this script starts over.
 *
 * Decorator metadata (`design:type`, which type-graphql and MikroORM read) needs legacy
 * decorators with `decoratorMetadata`; `useDefineForClassFields: false` matches tsconfig.json.
 *
 * `node scripts/transpile.mjs [module [args...]]`: given a module (dist/src/main.js), it runs
 * it afterwards in the same process, as `node module args...` would, saving a second Node
 * start-up on `npm start`.
 *
 * Plain JavaScript: it has to run before anything is compiled.
 */
import { createHash } from 'node:crypto';
import { copySql } from './copy-sql.mjs';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outDir = path.join(root, 'dist');
const manifestPath = path.join(outDir, '.transpile.json');

/** What tsconfig.build.json compiles. */
const INPUTS = ['src', 'scripts', 'mikro-orm.config.ts'];
const skip = (rel) => rel.endsWith('.d.ts') || (rel.startsWith('src/') && rel.endsWith('.test.ts'));

/** @type {import('@swc/core').Options} */
const OPTIONS = {
  swcrc: false,
  configFile: false,
  sourceMaps: true,
  inlineSourcesContent: false,
  module: { type: 'es6' },
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    target: 'es2022',
    keepClassNames: true,
    transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
  },
};

async function sources() {
  /** @type {string[]} */
  const found = [];
  const walk = async (rel) => {
    const entries = await readdir(path.join(root, rel), { withFileTypes: true }).catch(() => undefined);
    if (!entries) {
      if (rel.endsWith('.ts') && !skip(rel)) found.push(rel);
      return;
    }
    for (const e of entries) {
      const child = `${rel}/${e.name}`;
      if (e.isDirectory()) await walk(child);
      else if (e.name.endsWith('.ts') && !skip(child)) found.push(child);
    }
  };
  for (const input of INPUTS) await walk(input);
  return found.sort();
}

const sha = (text) => createHash('sha256').update(text).digest('hex');

/** Readers (a server starting, another transpile) see the old file or the new one, never half of one. */
async function writeAtomic(file, text) {
  const temp = `${file}.${process.pid}.tmp`;
  await writeFile(temp, text);
  await rename(temp, file);
}

async function main() {
  const started = Date.now();
  // swc itself is loaded only when something is to be transpiled.
  const swcVersion = createRequire(import.meta.url)('@swc/core/package.json').version;
  const key = sha(JSON.stringify([swcVersion, OPTIONS, await readFile(fileURLToPath(import.meta.url), 'utf8')]));
  /** @type {{ key?: string, files: Record<string, { mtimeMs: number, size: number, hash: string }> }} */
  let manifest = { files: {} };
  try {
    manifest = JSON.parse(await readFile(manifestPath, 'utf8'));
  } catch {
    // First run, or dist/ was removed: everything is transpiled.
  }
  const previous = manifest.key === key ? manifest.files : {};
  /** @type {typeof manifest.files} */
  const files = {};
  const outputOf = (rel) => path.join(outDir, rel.replace(/\.ts$/, '.js'));
  let transpiled = 0;
  /** @type {Promise<typeof import('@swc/core')> | undefined} */
  let swc;

  const list = await sources();
  await Promise.all(
    list.map(async (rel) => {
      const file = path.join(root, rel);
      const { mtimeMs, size } = await stat(file);
      const before = previous[rel];
      const outputThere = await stat(outputOf(rel)).then(
        () => true,
        () => false,
      );
      if (before && outputThere && before.mtimeMs === mtimeMs && before.size === size) {
        files[rel] = before;
        return;
      }
      const text = await readFile(file, 'utf8');
      const hash = sha(text);
      if (before && outputThere && before.hash === hash) {
        files[rel] = { mtimeMs, size, hash };
        return;
      }
      const out = outputOf(rel);
      swc ??= import('@swc/core');
      const { code, map } = await (
        await swc
      ).transform(text, {
        ...OPTIONS,
        filename: file,
        sourceFileName: path.relative(path.dirname(out), file),
      });
      await mkdir(path.dirname(out), { recursive: true });
      await writeAtomic(`${out}.map`, map ?? '');
      await writeAtomic(out, `${code}\n//# sourceMappingURL=${path.basename(out)}.map\n`);
      files[rel] = { mtimeMs, size, hash };
      transpiled++;
    }),
  );

  // Outputs of sources that are gone would still be importable: remove them.
  for (const rel of Object.keys(manifest.files)) {
    if (files[rel]) continue;
    await rm(outputOf(rel), { force: true });
    await rm(`${outputOf(rel)}.map`, { force: true });
  }
  await mkdir(outDir, { recursive: true });
  await writeAtomic(manifestPath, JSON.stringify({ key, files }));
  // The SQL the compiled migrations read (src/db/functions).
  await copySql(outDir);
  if (transpiled > 0) {
    console.error(
      `transpiled ${transpiled} of ${list.length} files into dist/ in ${Date.now() - started} ms (no type-check: npm run typecheck)`,
    );
  }
}

await main();
const [, , run] = process.argv;
if (run) {
  process.argv.splice(1, 2, path.resolve(run));
  await import(pathToFileURL(path.resolve(run)).href);
}
