import { defineConfig } from 'vitest/config';
import base from './vitest.config.js';

/**
 * `npm run screenshots`: the web app's main screens at a desktop's and a phone's size, with
 * realistic data, into docs/screenshots/ (test/web/screenshots.spec.ts). Apart from `npm test`
 * (its file is a `.spec.ts`): it writes into the repository. Same set-up as vitest.config.ts.
 */
export default defineConfig({
  resolve: base.resolve,
  plugins: base.plugins,
  test: {
    ...base.test,
    include: ['test/web/screenshots.spec.ts'],
    reporters: ['default'],
    testTimeout: 120_000,
  },
});
