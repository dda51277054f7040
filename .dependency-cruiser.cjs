/**
 * The import rules of the source tree (`npm run lint:deps`, part of `npm test`): no import
 * circles, the layers of docs/architecture.md (architecture-layers.cjs, which ESLint reads
 * too), and no test code in src/. A rule added here is a rule kept.
 */

const layers = require('./architecture-layers.cjs');

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'An import circle (type-only imports included) means two modules are one; move the shared part to a module of its own.',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    // The layers (architecture-layers.cjs): a folder of src/ may not import the folders named.
    ...layers.map(({ name, comment, from, forbidden }) => ({
      name,
      comment,
      severity: 'error',
      from: { path: `^src/${from}/` },
      to: { path: `^src/(${forbidden.join('|')})/` },
    })),
    {
      name: 'no-tests-in-src',
      comment: 'Source never imports test code.',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^test/' },
    },
  ],
  options: {
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|node_modules)/' },
  },
};
