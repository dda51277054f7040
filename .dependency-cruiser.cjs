/**
 * The import rules of the source tree (`npm run lint:deps`, part of `npm test`): no import
 * circles, and the layers of docs/architecture.md. A rule added here is a rule kept.
 */

/** `from` (a folder under src/) may not import any of the folders `to` names. */
const layer = (name, comment, from, to) => ({
  name,
  comment,
  severity: 'error',
  from: { path: `^src/${from}/` },
  to: { path: `^src/(${to.join('|')})/` },
});

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'An import circle (type-only imports included) means two modules are one; move the shared part to a module of its own.',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    layer(
      'providers-without-domain',
      "Provider adapters speak their provider's HTTP API and our provider interfaces, never the domain's services.",
      'providers',
      ['domain', 'resolvers', 'schema', 'http', 'cache'],
    ),
    layer('config-without-domain', 'Configuration is read before anything is built: it depends on nothing of ours.', 'config', [
      'domain',
      'resolvers',
      'schema',
      'http',
      'cache',
      'providers',
      'db',
    ]),
    layer('domain-without-api', 'The domain knows nothing of GraphQL, HTTP or resolvers: they call it, not the reverse.', 'domain', [
      'resolvers',
      'schema',
      'http',
    ]),
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
