// @ts-check
/**
 * Copies the SQL files under src/ (the functions' released versions, src/db/functions) to the
 * same place under dist/, where the compiled migrations read them. Run by scripts/transpile.mjs
 * and by `npm run build` (the Docker image); `node scripts/copy-sql.mjs` runs it alone.
 *
 * Plain JavaScript: it runs before anything is compiled.
 */
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Copies every `*.sql` (and the checksums beside them) under src/ to dist/src/ where it differs; returns how many. */
export async function copySql(outDir = path.join(root, 'dist')) {
  let copied = 0;
  const walk = async (rel) => {
    for (const e of await readdir(path.join(root, rel), { withFileTypes: true })) {
      const child = path.join(rel, e.name);
      if (e.isDirectory()) await walk(child);
      else if (e.name.endsWith('.sql') || e.name === 'SHA256SUMS') {
        const text = await readFile(path.join(root, child));
        const target = path.join(outDir, child);
        if ((await readFile(target).catch(() => undefined))?.equals(text)) continue;
        // Written beside and renamed: a process reading it meanwhile sees the old file or the new one.
        await mkdir(path.join(outDir, rel), { recursive: true });
        const temporary = `${target}.${process.pid}.tmp`;
        await writeFile(temporary, text);
        await rename(temporary, target);
        copied++;
      }
    }
  };
  await walk('src');
  return copied;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  console.log(`copied ${await copySql()} SQL files into dist/`);
}
