/**
 * The import rules of the source tree (`npm run lint:deps`, part of `npm test`): no import
 * circles, and the layers of docs/architecture.md. A rule added here is a rule kept.
 */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'An import circle (type-only imports included) means two modules are one; move the shared part to a module of its own.',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'providers-without-domain',
      comment: "Provider adapters speak their provider's HTTP API and our provider interfaces, never the domain's services.",
      severity: 'error',
      from: { path: '^src/providers/' },
      to: { path: '^src/(domain|resolvers|schema|http|cache)/' },
    },
    {
      name: 'config-without-domain',
      comment: 'Configuration is read before anything is built: it depends on nothing of ours.',
      severity: 'error',
      from: { path: '^src/config/' },
      to: { path: '^src/(domain|resolvers|schema|http|cache|providers|db)/' },
    },
    {
      name: 'domain-without-api',
      comment: 'The domain knows nothing of GraphQL, HTTP or resolvers: they call it, not the reverse.',
      severity: 'error',
      from: { path: '^src/domain/' },
      to: { path: '^src/(resolvers|schema|http)/' },
    },
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
