import { readFile } from 'node:fs/promises';

/**
 * The SQL functions' sources: `src/db/functions/<name>.v<version>.sql`, one file per released
 * version, each the function exactly as `pg_get_functiondef` prints it, after a comment that
 * says what it does and why. A migration applies a version with `functionSql`; a released file
 * never changes (SHA256SUMS beside them, checked by test/db/function-files.test.ts), so the next
 * change is a new version and a new migration, and the review sees it as a diff between two
 * files. The files travel next to the compiled migrations (scripts/copy-sql.mjs).
 */
export async function functionSql(name: string, version: number): Promise<string> {
  return readFile(new URL(`./functions/${name}.v${version}.sql`, import.meta.url), 'utf8');
}

/** A function file without its leading comment and closing semicolon: what pg_get_functiondef prints (it ends in a newline). */
export function functionDefinition(fileText: string): string {
  const lines = fileText.split('\n');
  const start = lines.findIndex((l) => !l.startsWith('--'));
  return lines.slice(start).join('\n').replace(/;\n*$/, '\n');
}
