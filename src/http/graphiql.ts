import { createReadStream, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { EXPLORER_HEADERS, EXPLORER_SAMPLE_DOCUMENT } from './sandbox-landing.js';

/**
 * GET /graphiql (outside production): GraphiQL from npm, served from node_modules, so exploring
 * the API works without Apollo's CDN. Only the files below are served, by fixed name.
 */
const ASSETS: Record<string, { pkg: string; file: string; type: string }> = {
  'graphiql.min.css': { pkg: 'graphiql', file: 'graphiql.min.css', type: 'text/css; charset=utf-8' },
  'graphiql.min.js': { pkg: 'graphiql', file: 'graphiql.min.js', type: 'text/javascript; charset=utf-8' },
  'react.production.min.js': { pkg: 'react', file: 'umd/react.production.min.js', type: 'text/javascript; charset=utf-8' },
  'react-dom.production.min.js': { pkg: 'react-dom', file: 'umd/react-dom.production.min.js', type: 'text/javascript; charset=utf-8' },
  'graphql-ws.min.js': { pkg: 'graphql-ws', file: 'umd/graphql-ws.min.js', type: 'text/javascript; charset=utf-8' },
};

/** Node's lookup without `exports` maps: node_modules/<pkg>/<file> in this folder or any above it. */
function findPackageFile(pkg: string, file: string, from: string): string | undefined {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'node_modules', pkg, file);
    if (existsSync(candidate)) return candidate;
    if (path.dirname(dir) === dir) return undefined;
  }
}

export function registerGraphiQL(fastify: FastifyInstance, from = path.dirname(fileURLToPath(import.meta.url))): void {
  const files = new Map<string, string>();
  const missing: string[] = [];
  for (const [name, asset] of Object.entries(ASSETS)) {
    const found = findPackageFile(asset.pkg, asset.file, from);
    if (found) files.set(name, found);
    else missing.push(`${asset.pkg}/${asset.file}`);
  }

  fastify.get('/graphiql', async (_request, reply) => {
    if (missing.length > 0) {
      // An image built without dev dependencies: say why instead of serving a blank page.
      return reply
        .code(404)
        .type('text/plain; charset=utf-8')
        .send(
          `GraphiQL is not available: ${missing.join(', ')} not found in node_modules ` +
            `(it comes with the dev dependencies: npm install). Apollo Sandbox at /graphql works when online.\n`,
        );
    }
    return reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(PAGE);
  });

  fastify.get<{ Params: { name: string } }>('/graphiql/assets/:name', async (request, reply) => {
    const name = request.params.name;
    const file = Object.hasOwn(ASSETS, name) ? files.get(name) : undefined;
    if (!file) return reply.code(404).type('text/plain; charset=utf-8').send('Not found\n');
    return reply.type(ASSETS[name].type).header('cache-control', 'public, max-age=3600').send(createReadStream(file));
  });
}

/** JSON inside a <script>: nothing in it may close the element. */
const scriptJson = (value: unknown) => JSON.stringify(value).replace(/</g, '\\u003c');

const PAGE = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width,initial-scale=1">
  <title>GraphiQL · Wallet &amp; Cards API</title>
  <link rel="stylesheet" href="/graphiql/assets/graphiql.min.css">
  <style>html, body, #graphiql { height: 100%; margin: 0; }</style>
</head>
<body>
  <div id="graphiql">Loading GraphiQL…</div>
  <script src="/graphiql/assets/react.production.min.js"></script>
  <script src="/graphiql/assets/react-dom.production.min.js"></script>
  <script src="/graphiql/assets/graphql-ws.min.js"></script>
  <script src="/graphiql/assets/graphiql.min.js"></script>
  <script>
  (function () {
    var httpUrl = new URL('/graphql', window.location.href).href;
    var wsUrl = httpUrl.replace(/^http/, 'ws');
    var http = GraphiQL.createFetcher({ url: httpUrl, enableIncrementalDelivery: false });

    // The socket carries the Authorization header typed in the headers editor (as
    // connectionParams.authorization); a new value opens a new socket.
    var ws = null;
    var wsAuthorization = null;
    function socketFor(headers) {
      var authorization = '';
      for (var key in headers || {}) if (key.toLowerCase() === 'authorization') authorization = String(headers[key]);
      if (ws && wsAuthorization === authorization) return ws;
      if (ws) ws.dispose();
      wsAuthorization = authorization;
      ws = graphqlWs.createClient({
        url: wsUrl,
        connectionParams: authorization ? { authorization: authorization } : {},
        retryAttempts: 0,
      });
      return ws;
    }
    function isSubscription(document, operationName) {
      return document.definitions.some(function (d) {
        return d.kind === 'OperationDefinition' && d.operation === 'subscription' &&
          (!operationName || (d.name && d.name.value === operationName));
      });
    }
    async function* subscribe(client, params) {
      try {
        for await (var result of client.iterate(params)) yield result;
      } catch (err) {
        // A refused socket ends with a close event: show its code and reason, e.g. 4401 Unauthorized.
        if (err && typeof err.code === 'number') throw new Error('WebSocket closed: ' + err.code + ' ' + (err.reason || ''));
        throw err;
      }
    }
    function fetcher(params, options) {
      if (options && options.documentAST && isSubscription(options.documentAST, params.operationName)) {
        return subscribe(socketFor(options.headers), params);
      }
      return http(params, options);
    }

    ReactDOM.createRoot(document.getElementById('graphiql')).render(
      React.createElement(GraphiQL, {
        fetcher: fetcher,
        defaultQuery: ${scriptJson(EXPLORER_SAMPLE_DOCUMENT)},
        defaultHeaders: ${scriptJson(JSON.stringify(EXPLORER_HEADERS, null, 2))},
        isHeadersEditorEnabled: true,
        shouldPersistHeaders: false,
        defaultEditorToolsVisibility: 'headers',
      }),
    );
  })();
  </script>
</body>
</html>
`;
