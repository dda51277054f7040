import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { ESLint } from 'eslint';
import * as prettier from 'prettier';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../process/child.js';

/**
 * ESLint (eslint.config.js) and Prettier (.prettierrc.json, .prettierignore) hold for the tree,
 * as `npm run lint` checks them; and the layer rules bite on code that breaks them.
 */

const eslint = new ESLint({ cwd: ROOT });

describe('ESLint', () => {
  it('finds nothing in the tree', { timeout: 120_000 }, async () => {
    const results = await eslint.lintFiles(['.']);
    const problems = results.flatMap((r) =>
      r.messages.map((m) => `${path.relative(ROOT, r.filePath)}:${m.line}:${m.column} ${m.ruleId ?? ''} ${m.message}`),
    );
    expect(problems).toEqual([]);
  });

  it("refuses what docs/architecture.md forbids: the domain in a provider, anything of ours in config, GraphQL in the domain, tests in source, SQL outside a repository, a rethrow that drops the cause", async () => {
    const lint = async (file: string, code: string) =>
      (await eslint.lintText(code, { filePath: path.join(ROOT, file) }))[0].messages.map((m) => m.ruleId);
    expect(await lint('src/providers/x/x.ts', "import { a } from '../../domain/ledger/a.js';\nexport const x = a;\n")).toEqual([
      'no-restricted-imports',
    ]);
    expect(await lint('src/config/x.ts', "import { a } from '../db/a.js';\nexport const x = a;\n")).toEqual(['no-restricted-imports']);
    expect(await lint('src/domain/x/x.ts', "import { a } from '../../schema/a.js';\nexport const x = a;\n")).toEqual(['no-restricted-imports']);
    expect(await lint('src/http/x.ts', "import { a } from '../../test/support/a.js';\nexport const x = a;\n")).toEqual(['no-restricted-imports']);
    // Allowed: the domain reading the providers' interfaces, a layer importing within itself.
    expect(await lint('src/domain/x/x.ts', "import { a } from '../../providers/card-issuer.js';\nexport const x = a;\n")).toEqual([]);
    expect(await lint('src/providers/x/x.ts', "import { a } from '../payment-provider.js';\nexport const x = a;\n")).toEqual([]);
    // SQL in a domain service, not in its repository.
    const sql = "import type { EntityManager } from '@mikro-orm/postgresql';\nexport const f = (em: EntityManager) => em.execute('select 1');\n";
    expect(await lint('src/domain/x/x.service.ts', sql)).toEqual(['no-restricted-syntax']);
    expect(await lint('src/domain/x/x.repository.ts', sql)).toEqual([]);
    expect(
      await lint('src/domain/x/x.ts', "export function f(s: string) {\n  try {\n    return JSON.parse(s);\n  } catch {\n    throw new Error('not JSON');\n  }\n}\n"),
    ).toEqual(['preserve-caught-error']);
  });
});

describe('Prettier', () => {
  it('finds every file it formats formatted', { timeout: 120_000 }, async () => {
    const ignorePath = path.join(ROOT, '.prettierignore');
    const { execFileSync } = await import('node:child_process');
    // The files git knows (tracked or new, not ignored), as `prettier --check .` would walk them.
    const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], { cwd: ROOT, encoding: 'utf8' })
      .split('\n')
      .filter(Boolean);
    const unformatted: string[] = [];
    for (const file of files) {
      const full = path.join(ROOT, file);
      const info = await prettier.getFileInfo(full, { ignorePath });
      if (info.ignored || !info.inferredParser) continue;
      const options = await prettier.resolveConfig(full);
      const text = await readFile(full, 'utf8').catch(() => null);
      if (text === null) continue;
      if (!(await prettier.check(text, { ...options, filepath: full }))) unformatted.push(file);
    }
    expect(unformatted, 'npm run format').toEqual([]);
  });
});
