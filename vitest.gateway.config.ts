import { defineConfig } from 'vitest/config';
import base from './vitest.config.js';

/**
 * The suites that run whole deployments on loopback, apart from `npm test` (their files are
 * named `*.spec.ts`, which vitest.config.ts does not include); CI runs this config whole.
 * - `npm run test:gateway` (test/gateway): deploy/nginx.conf (installed from Debian with apt-get
 *   when /usr/sbin/nginx is missing) in front of two replicas of the built server.
 * - `npm run test:image` (test/deploy/*.spec.ts): the Docker image's file tree built by
 *   following the Dockerfile without Docker, then inspected and run on Node 22 (the image's).
 * Each on a database and Redis key prefix of its own. Same resolve alias and swc plugin as
 * vitest.config.ts (decorator metadata, one copy of graphql-js).
 */
export default defineConfig({
  resolve: base.resolve,
  plugins: base.plugins,
  test: {
    include: ['test/gateway/**/*.spec.ts', 'test/deploy/**/*.spec.ts'],
    pool: 'forks',
    maxWorkers: 1,
    fileParallelism: false,
    testTimeout: 60_000,
    // apt-get may install nginx first; the image's build sets a longer timeout of its own.
    hookTimeout: 180_000,
    reporters: ['default'],
  },
});
