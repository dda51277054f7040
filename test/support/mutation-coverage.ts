import { beforeAll, beforeEach, inject } from 'vitest';

/**
 * A setup file for mutation runs only (vitest.mutation.config.ts, docs/testing.md).
 *
 * StrykerJS learns which tests reach a mutant from the code each test runs between its
 * `beforeEach` and `afterEach`. Code run in a suite's `beforeAll` (starting its server,
 * registering routes, wiring services) counts as reached by no test, so a mutant there runs
 * only the few tests that also reach it later, never the tests that depend on what the
 * `beforeAll` built: a webhook body limit of 1 byte survived although ten webhook tests fail
 * with it. This file credits every test of a file with the code its file's `beforeAll` hooks
 * ran, so such a mutant runs the tests of every file whose set-up reaches it. (A mutant is
 * active from the start of each file in a mutation run, so those hooks do see it.)
 */
type Hits = Record<string, number>;
interface Namespace {
  currentTestId?: string;
  mutantCoverage?: { static: Hits; perTest: Record<string, Hits> };
}

const read = inject as unknown as (key: string) => unknown;
const ns = ((globalThis as Record<string, unknown>)[read('globalNamespace') as string] ??= {}) as Namespace;

// The modules the server loads lazily (src/providers/registry.ts), loaded here instead, before
// any beforeAll: what runs while a module loads stays uncredited (static, not scored), since a
// module loads once per run and a mutant in it could not be switched on again for a test.
await import('../../src/providers/flutterwave/flutterwave.issuer.js');
await import('../../src/providers/stripe/stripe.issuer.js');

if (read('mode') === 'dry-run') {
  let atFileStart: Hits = {};
  beforeAll(() => {
    atFileStart = { ...ns.mutantCoverage?.static };
  });
  // Runs after StrykerJS's own beforeEach (its setup file comes first), once the test's id is set.
  beforeEach(() => {
    const coverage = ns.mutantCoverage;
    const testId = ns.currentTestId;
    if (!coverage || !testId) return;
    const ofTest = (coverage.perTest[testId] ??= {});
    for (const [mutant, hits] of Object.entries(coverage.static)) {
      const inThisFile = hits - (atFileStart[mutant] ?? 0);
      if (inThisFile > 0) ofTest[mutant] = (ofTest[mutant] ?? 0) + inThisFile;
    }
  });
}
