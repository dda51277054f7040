/**
 * The layers of docs/architecture.md, written once: what each folder of src/ may not import.
 * `.dependency-cruiser.cjs` (the whole import graph, `npm run lint:deps`) and `eslint.config.js`
 * (file by file, as an editor shows it) both read them.
 */
module.exports = [
  {
    name: 'providers-without-domain',
    comment: "Provider adapters speak their provider's HTTP API and our provider interfaces, never the domain, GraphQL, HTTP or the cache.",
    from: 'providers',
    forbidden: ['domain', 'resolvers', 'schema', 'http', 'cache'],
  },
  {
    name: 'config-without-domain',
    comment: 'Configuration is read before anything is built: it depends on nothing of ours.',
    from: 'config',
    forbidden: ['domain', 'resolvers', 'schema', 'http', 'cache', 'providers', 'db'],
  },
  {
    name: 'cache-without-domain',
    comment:
      'Redis helpers store and carry what they are given (the domain says what an event or a cached account is): they never import the domain, the API or providers.',
    from: 'cache',
    forbidden: ['domain', 'resolvers', 'schema', 'http', 'providers'],
  },
  {
    name: 'domain-without-api',
    comment: 'The domain knows nothing of GraphQL, HTTP or resolvers: they call it, not the reverse.',
    from: 'domain',
    forbidden: ['resolvers', 'schema', 'http'],
  },
];
