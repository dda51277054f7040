import { defineConfig } from 'vitest/config';
import base from './vitest.config.js';
import ShortestFirst from './test/support/shortest-first.js';

/**
 * The suites a mutation run uses (npm run test:mutation, docs/testing.md): every suite that
 * drives the money, card, auth, idempotency, monitoring and webhook code in this process.
 * Suites that start the server as a child process (test/process, the Redis outage) run the
 * compiled dist/, which Stryker does not mutate, so they could only cost time here.
 */
/**
 * MUTATION_SUITES (comma-separated globs) narrows a run to some suites. For `auth.service.ts`,
 * which nearly every test reaches through `authenticate`, the auth suites alone are the
 * measure: with every suite, StrykerJS estimated its run at over two hours (docs/testing.md).
 */
const only = process.env.MUTATION_SUITES?.split(',').filter(Boolean);

export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: only ?? [
      'test/auth/**/*.test.ts',
      'test/mail/**/*.test.ts',
      'test/cards/**/*.test.ts',
      'test/db/ledger*.test.ts',
      'test/live/**/*.test.ts',
      'test/money/**/*.test.ts',
      'test/payments/**/*.test.ts',
      'test/providers/**/*.test.ts',
      'test/wallets/**/*.test.ts',
      'test/platform/audit.test.ts',
      // The wallet read cache switched off (CACHE_ENABLED=false): the code paths without it.
      'test/platform/cache-switch.test.ts',
      'test/platform/errors.test.ts',
      'test/platform/error-fields.test.ts',
      // A provider failure's cause, kept for the log.
      'test/platform/error-causes.test.ts',
      // The deposit and balance caps (issue 14).
      'test/security/amount-caps.test.ts',
      // Unit tests beside the code (lockOrder, the webhook parsers' causes).
      'src/**/*.test.ts',
    ],
    exclude: [
      'test/money/redis-outage.test.ts',
      // Randomized and load suites: each takes 8-30 s and would run in full for every
      // surviving mutant; the focused suites above cover the same rules (docs/testing.md).
      'test/money/conservation.test.ts',
      'test/live/fanout.test.ts',
      'test/live/outage.test.ts',
    ],
    // Credits each test with what its file's beforeAll ran (test/support/mutation-coverage.ts).
    setupFiles: [...(base.test?.setupFiles as string[]), 'test/support/mutation-coverage.ts'],
    reporters: ['default'],
    // Modules load once per run rather than once per file: each suite still starts its own
    // server, database and Redis keys, and a mutation run loads the app thousands of times.
    isolate: false,
    // A mutant that makes a request hang fails its test here instead of at the usual 30 s.
    testTimeout: 15_000,
    hookTimeout: 20_000,
    sequence: { sequencer: ShortestFirst },
  },
});
