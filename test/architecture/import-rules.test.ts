import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { cruise, type IConfiguration } from 'dependency-cruiser';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from '../process/child.js';

/**
 * The import rules of `.dependency-cruiser.cjs` (no circles, the layers of
 * docs/architecture.md) hold for the source tree, and each rule bites: a small tree that
 * breaks it is reported.
 */

const config = createRequire(import.meta.url)(path.join(ROOT, '.dependency-cruiser.cjs')) as IConfiguration;

async function violations(baseDir: string, withTsConfig: boolean): Promise<string[]> {
  const { tsConfig, ...options } = config.options ?? {};
  const result = await cruise(['src'], {
    ...options,
    ...(withTsConfig ? { tsConfig } : {}),
    baseDir,
    validate: true,
    ruleSet: { forbidden: config.forbidden },
  });
  if (typeof result.output === 'string') throw new Error('expected the cruise result as an object');
  return result.output.summary.violations.map((v) => `${v.rule.name}: ${v.from} -> ${v.to}${v.cycle ? ` (${v.cycle.map((c) => c.name).join(' -> ')})` : ''}`);
}

describe('import rules', () => {
  it('the source tree breaks none of them', { timeout: 60_000 }, async () => {
    expect(await violations(ROOT, true)).toEqual([]);
  });

  const dirs: string[] = [];
  afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

  it('reports a circle, a provider importing the domain, config importing the domain, the cache importing the domain, the domain importing a resolver, and source importing tests', { timeout: 60_000 }, async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'import-rules-'));
    dirs.push(dir);
    const files: Record<string, string> = {
      'src/a.ts': "import { b } from './b';\nexport const a = () => b;\n",
      'src/b.ts': "import type { a } from './a';\nexport const b = 1;\nexport type A = typeof a;\n",
      'src/providers/p.ts': "import { d } from '../domain/d';\nexport const p = d;\n",
      'src/config/c.ts': "import { d } from '../domain/d';\nexport const c = d;\n",
      'src/cache/k.ts': "import type { d } from '../domain/d';\nexport type K = typeof d;\n",
      'src/domain/d.ts': "import { r } from '../resolvers/r';\nexport const d = r;\n",
      'src/resolvers/r.ts': 'export const r = 1;\n',
      'src/uses-test.ts': "import { t } from '../test/t';\nexport const u = t;\n",
      'test/t.ts': 'export const t = 1;\n',
    };
    for (const [file, text] of Object.entries(files)) {
      await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
      await writeFile(path.join(dir, file), text);
    }
    const found = await violations(dir, false);
    expect(found).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^no-circular: src\/(a|b)\.ts -> src\/(a|b)\.ts/),
        'providers-without-domain: src/providers/p.ts -> src/domain/d.ts',
        'config-without-domain: src/config/c.ts -> src/domain/d.ts',
        'cache-without-domain: src/cache/k.ts -> src/domain/d.ts',
        'domain-without-api: src/domain/d.ts -> src/resolvers/r.ts',
        'no-tests-in-src: src/uses-test.ts -> test/t.ts',
      ]),
    );
  });
});
