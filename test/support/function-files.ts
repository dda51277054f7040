import { readdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

/** src/db/functions, where each SQL function's released versions live. */
export const FUNCTIONS_DIR = fileURLToPath(new URL('../../src/db/functions/', import.meta.url));

const FILE = /^([a-z_]+)\.v(\d+)\.sql$/;

/** Every released file: name, version, path. */
export async function functionFiles(): Promise<{ name: string; version: number; file: string; base: string }[]> {
  const found = [];
  for (const base of await readdir(FUNCTIONS_DIR)) {
    const m = FILE.exec(base);
    if (m) found.push({ name: m[1], version: Number(m[2]), file: `${FUNCTIONS_DIR}${base}`, base });
  }
  return found;
}

/** Each function's newest file. */
export async function latestFunctionFiles(): Promise<Map<string, string>> {
  const newest = new Map<string, { version: number; file: string }>();
  for (const f of await functionFiles()) {
    if ((newest.get(f.name)?.version ?? -1) < f.version) newest.set(f.name, f);
  }
  return new Map([...newest].map(([name, f]) => [name, f.file]));
}
