import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { functionDefinition } from '../../src/db/functions.js';
import { FUNCTIONS_DIR, functionFiles } from '../support/function-files.js';

/**
 * The SQL functions' released versions (src/db/functions, docs/architecture.md) never change:
 * a change is a new version applied by a new migration. That the database runs exactly the
 * newest files is checked in versions-migration.test.ts.
 */
describe('src/db/functions', () => {
  it('SHA256SUMS holds every released file with its hash: a released version is never edited', async () => {
    const sums = (await readFile(`${FUNCTIONS_DIR}SHA256SUMS`, 'utf8'))
      .split('\n')
      .filter(Boolean)
      .map((line) => line.split(/\s+/));
    const listed = new Map(sums.map(([hash, base]) => [base, hash]));
    const files = await functionFiles();
    const sqlFiles = (await readdir(FUNCTIONS_DIR)).filter((f) => f.endsWith('.sql'));
    // Every .sql file is a released version, named <name>.v<N>.sql.
    expect(files.map((f) => f.base).sort()).toEqual(sqlFiles.sort());
    expect([...listed.keys()].sort()).toEqual(sqlFiles.sort());
    for (const f of files) {
      const hash = createHash('sha256').update(await readFile(f.file)).digest('hex');
      expect(
        hash,
        `${f.base} differs from the version that was released. Copy it to ${f.name}.v${f.version + 1}.sql, change the copy, ` +
          'apply it with a new migration (functionSql), and add its line to SHA256SUMS (sha256sum *.sql > SHA256SUMS)',
      ).toBe(listed.get(f.base));
    }
  });

  it('each file is one function as pg_get_functiondef prints it, under its own name, after a comment saying what it is for', async () => {
    for (const f of await functionFiles()) {
      const text = await readFile(f.file, 'utf8');
      expect(text.startsWith(`-- ${f.name}, version ${f.version}: `), f.base).toBe(true);
      const definition = functionDefinition(text);
      expect(definition.startsWith(`CREATE OR REPLACE FUNCTION public.${f.name}(`), f.base).toBe(true);
      expect(definition.endsWith('$function$\n'), f.base).toBe(true);
    }
  });

  it("each version is applied by exactly one migration's up()", async () => {
    const dir = new URL('../../src/migrations/', import.meta.url);
    // What each migration applies on the way up (its down() may apply an earlier version again).
    const sources = await Promise.all(
      (await readdir(dir))
        .filter((f) => f.startsWith('Migration'))
        .map(async (f) => (await readFile(new URL(f, dir), 'utf8')).split('async down(')[0]),
    );
    for (const f of await functionFiles()) {
      const call = `functionSql('${f.name}', ${f.version})`;
      expect(sources.filter((s) => s.includes(call)), call).toHaveLength(1);
    }
  });
});

describe('functionDefinition', () => {
  it('drops the leading comment and the closing semicolon, keeping the final newline', () => {
    expect(functionDefinition('-- a\n-- b\nCREATE x\nAS $function$\nbody\n$function$;\n')).toBe('CREATE x\nAS $function$\nbody\n$function$\n');
    // Only the leading comment: a comment inside the body stays.
    expect(functionDefinition('CREATE x\n-- inside\n$function$;')).toBe('CREATE x\n-- inside\n$function$\n');
  });
});
