import { execFileSync, spawnSync } from 'node:child_process';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, MAIN, ROOT } from './child.js';

/**
 * `npm start` runs what scripts/transpile.mjs (swc) wrote into dist/, not tsc's output: the
 * decorator metadata type-graphql and MikroORM read must be there (STACK.md, trap 1), and an
 * unchanged tree must cost nothing.
 */

const node = (script: string) => execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8' }).trim();

describe('the transpiled dist/', () => {
  beforeAll(() => ensureBuilt());

  it('carries design:type for decorated properties (GraphQL types and entities)', () => {
    const names = node(`
      await import('reflect-metadata');
      const { UserType } = await import('./dist/src/schema/user.type.js');
      const { User } = await import('./dist/src/domain/users/user.entity.js');
      const type = (proto, key) => Reflect.getMetadata('design:type', proto, key)?.name;
      console.log([type(UserType.prototype, 'email'), type(UserType.prototype, 'createdAt'), type(User.prototype, 'passwordHash')].join(','));
    `);
    expect(names).toBe('String,Date,String');
  });

  it('transpiles nothing again when no source changed', async () => {
    const before = (await stat(MAIN)).mtimeMs;
    const run = spawnSync(process.execPath, [path.join(ROOT, 'scripts/transpile.mjs')], { cwd: ROOT, encoding: 'utf8' });
    expect(run.status).toBe(0);
    expect(run.stderr).toBe(''); // it names what it transpiled
    expect((await stat(MAIN)).mtimeMs).toBe(before);
  });
});
