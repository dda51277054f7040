import { createRequire } from 'node:module';
import swc from 'unplugin-swc';
import { configDefaults, defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

export default defineConfig({
  // One copy of graphql-js: Vite would pick its .mjs build for our files while Node loads
  // the CommonJS one for type-graphql and Apollo, and the two do not recognise each other.
  resolve: { alias: [{ find: /^graphql$/, replacement: require.resolve('graphql') }] },
  // swc emits decorator metadata, which type-graphql and MikroORM read (STACK.md, trap 1).
  plugins: [swc.vite({ module: { type: 'es6' } })],
  test: {
    globalSetup: ['test/support/global-setup.ts'],
    setupFiles: ['test/support/setup.ts'],
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // The fault suite owns its PostgreSQL and Redis and runs on its own: npm run test:faults.
    exclude: [...configDefaults.exclude, 'test/faults/**'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: process.env.CI ? ['default', ['json', { outputFile: 'test-results.json' }]] : ['default'],
  },
});
