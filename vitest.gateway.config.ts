import { defineConfig } from 'vitest/config';
import base from './vitest.config.js';

/**
 * `npm run test:gateway`: deploy/nginx.conf (installed from Debian with apt-get when
 * /usr/sbin/nginx is missing) run on loopback in front of two replicas of the built server, on
 * a database and Redis key prefix of its own (test/gateway). Apart from `npm test`: its files
 * are named `*.spec.ts`, which vitest.config.ts does not include. Same resolve alias and swc
 * plugin as vitest.config.ts (decorator metadata, one copy of graphql-js).
 */
export default defineConfig({
  resolve: base.resolve,
  plugins: base.plugins,
  test: {
    include: ['test/gateway/**/*.spec.ts'],
    pool: 'forks',
    maxWorkers: 1,
    fileParallelism: false,
    testTimeout: 60_000,
    // apt-get may install nginx first.
    hookTimeout: 180_000,
    reporters: ['default'],
  },
});
