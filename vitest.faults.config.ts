import { defineConfig } from 'vitest/config';
import base from './vitest.config.js';

/**
 * `npm run test:faults`: the fault suite (test/faults), apart from `npm test`. It owns its
 * PostgreSQL and Redis and runs the built server as a child process, so it needs neither the
 * template database of the normal global set-up nor its per-worker set-up file. Same resolve
 * alias and swc plugin as vitest.config.ts (decorator metadata, one copy of graphql-js).
 */
export default defineConfig({
  resolve: base.resolve,
  plugins: base.plugins,
  test: {
    include: ['test/faults/**/*.test.ts'],
    pool: 'forks',
    maxWorkers: 1,
    fileParallelism: false,
    testTimeout: 170_000,
    hookTimeout: 120_000,
    reporters: ['default'],
  },
});
