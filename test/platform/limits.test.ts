import 'reflect-metadata';
import { createClient } from 'graphql-ws';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { SignUpDocument } from '../generated/graphql.js';
import { productionEnv, type TestServer, useTestServer } from '../support/server.js';
import { sql } from '../support/helpers.js';

/**
 * Limits before execution (depth, aliases, cost, tokens), batching off, CSRF prevention,
 * and what production hides (introspection, Apollo Sandbox), over HTTP.
 */

const LIMITS = {
  GRAPHQL_MAX_DEPTH: '3',
  GRAPHQL_MAX_ALIASES: '2',
  GRAPHQL_MAX_COST: '15',
  GRAPHQL_MAX_TOKENS: '150',
};

const password = 'correct horse battery';

function codes(res: { errors?: ReadonlyArray<{ extensions?: Record<string, unknown> }> }): unknown[] {
  return (res.errors ?? []).map((e) => e.extensions?.code);
}

interface SocketResult {
  data?: unknown;
  errors?: ReadonlyArray<{ message: string; extensions?: Record<string, unknown> }>;
}

/** A graphql-ws client signed in with `accessToken`; `run` resolves with the result or the errors. */
function socket(server: TestServer, accessToken: string) {
  const client = createClient({
    url: server.graphqlUrl.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${accessToken}` },
    retryAttempts: 0,
    lazyCloseTimeout: 60_000,
  });
  const run = (query: string) =>
    new Promise<SocketResult>((resolve, reject) => {
      let result: SocketResult | undefined;
      client.subscribe(
        { query },
        {
          next: (value) => (result = value as SocketResult),
          // graphql-ws reports operation errors (validation, parse) as an array of errors.
          error: (err) => (Array.isArray(err) ? resolve({ errors: err }) : reject(err as Error)),
          complete: () => resolve(result ?? {}),
        },
      );
    });
  return { run, dispose: () => client.dispose() };
}

describe('query limits', () => {
  const server = useTestServer(LIMITS);

  it('depth: at the limit runs, one level deeper is QUERY_TOO_COMPLEX', async () => {
    // __type is not skipped by the depth rule (only __schema is), so it nests as deep as we like.
    const atLimit = await server.raw('{ __type(name: "User") { fields { name } } }');
    expect(atLimit.errors).toBeUndefined();
    expect(atLimit.data).toMatchObject({ __type: { fields: expect.any(Array) } });

    const over = await server.raw('{ __type(name: "User") { fields { type { name } } } }');
    expect(codes(over)).toEqual(['QUERY_TOO_COMPLEX']);
    expect(over.errors![0].message).toMatch(/depth limit of 3 exceeded, found 4/);
    expect(over.data).toBeUndefined();
  });

  it('depth counts through fragments', async () => {
    const over = await server.raw(
      '{ __type(name: "User") { ...F } } fragment F on __Type { fields { type { name } } }',
    );
    // (it is over the cost limit too: each limit reports its own error)
    expect(new Set(codes(over))).toEqual(new Set(['QUERY_TOO_COMPLEX']));
    expect(over.errors!.map((e) => e.message).join('\n')).toMatch(/depth limit of 3 exceeded, found 4/);
  });

  it('aliases: at the limit runs, one more is QUERY_TOO_COMPLEX', async () => {
    const atLimit = await server.raw('{ a: me { id } b: me { id } }');
    expect(atLimit.errors).toBeUndefined();
    expect(atLimit.data).toEqual({ a: null, b: null });

    const over = await server.raw('{ a: me { id } b: me { id } c: me { id } }');
    expect(codes(over)).toEqual(['QUERY_TOO_COMPLEX']);
    expect(over.errors![0].message).toMatch(/aliases/i);
    expect(over.data).toBeUndefined();

    // `__typename` aliases count like any other: they cost a resolver call each.
    const typenames = await server.raw('{ a: __typename b: __typename c: __typename }');
    expect(codes(typenames)).toEqual(['QUERY_TOO_COMPLEX']);
    expect(typenames.data).toBeUndefined();
  });

  it('suggests the field meant outside production', async () => {
    const res = await server.raw('{ mee { id } }');
    expect(codes(res)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    expect(res.errors![0].message).toMatch(/Did you mean "me"\?/);
  });

  it('cost: under the limit runs, over it is QUERY_TOO_COMPLEX', async () => {
    // me { 5 scalars } costs 2 + 1.5 * 5 = 9.5; with currencies { 4 scalars } (8) it is 17.5.
    const under = await server.raw('{ me { id email fullName role createdAt } }');
    expect(under.errors).toBeUndefined();

    const over = await server.raw('{ me { id email fullName role createdAt } currencies { code name exponent symbol } }');
    expect(codes(over)).toEqual(['QUERY_TOO_COMPLEX']);
    expect(over.errors![0].message).toMatch(/cost limit of 15 exceeded/i);
    expect(over.data).toBeUndefined();
  });

  it('limits apply before execution: a refused mutation changes nothing', async () => {
    const input = { email: 'too-costly@example.com', password, fullName: 'Too Costly' };
    const refused = await server.raw(
      `mutation ($input: SignUpInput!) {
        signUp(input: $input) { accessToken refreshToken expiresAt user { id email fullName role createdAt } }
      }`,
      { input },
    );
    expect(codes(refused)).toEqual(['QUERY_TOO_COMPLEX']);
    const logIn = await server.raw('mutation ($input: LogInInput!) { logIn(input: $input) { accessToken } }', {
      input: { email: input.email, password },
    });
    expect(codes(logIn)).toEqual(['INVALID_CREDENTIALS']);
  });

  it('tokens: a document over GRAPHQL_MAX_TOKENS is refused by the parser with QUERY_TOO_COMPLEX', async () => {
    const typenames = (n: number) => `{ ${Array.from({ length: n }, () => '__typename').join(' ')} }`;
    // 150 tokens parse (and are then refused for their cost, not their length) ...
    const atLimit = await server.raw(typenames(148));
    expect(atLimit.errors![0].message).not.toMatch(/tokens/);
    expect(atLimit.errors![0].message).toMatch(/cost/i);
    // ... 151 do not parse.
    const over = await server.raw(typenames(149));
    expect(codes(over)).toEqual(['QUERY_TOO_COMPLEX']);
    expect(over.errors![0].message).toMatch(/Document contains more tha[nt] 150 tokens/);
    expect(over.data).toBeUndefined();
  });

  it('apply over WebSocket too (graphql-ws on /graphql)', async () => {
    const signUp = await server.raw('mutation ($input: SignUpInput!) { signUp(input: $input) { accessToken } }', {
      input: { email: 'ws-limits@example.com', password, fullName: 'WS Limits' },
    });
    const { accessToken } = (signUp.data as { signUp: { accessToken: string } }).signUp;
    const { run, dispose } = socket(server, accessToken);
    try {
      expect(await run('{ me { id } }')).toEqual({ data: { me: { id: expect.any(String) } } });
      const cases: Array<[string, RegExp]> = [
        ['{ __type(name: "User") { fields { type { name } } } }', /depth/],
        ['{ a: me { id } b: me { id } c: me { id } }', /aliases/i],
        ['{ me { id email fullName role createdAt } currencies { code name exponent symbol } }', /cost/i],
        [`{ ${Array.from({ length: 149 }, () => '__typename').join(' ')} }`, /tokens/],
      ];
      for (const [query, message] of cases) {
        const res = await run(query);
        expect(res.data, query.slice(0, 60)).toBeUndefined();
        expect(new Set(codes(res)), query.slice(0, 60)).toEqual(new Set(['QUERY_TOO_COMPLEX']));
        expect(res.errors!.map((e) => e.message).join('\n')).toMatch(message);
      }
      // Ordinary mistakes keep their codes over the socket too.
      expect(codes(await run('{ me { id nope } }'))).toEqual(['GRAPHQL_VALIDATION_FAILED']);
      expect(codes(await run('{ me { id '))).toEqual(['GRAPHQL_PARSE_FAILED']);
    } finally {
      await dispose();
    }
  });

  it('over WebSocket, a refused document is refused every time and a repeated valid one runs every time', async () => {
    const signUp = await server.raw('mutation ($input: SignUpInput!) { signUp(input: $input) { accessToken } }', {
      input: { email: 'ws-repeat@example.com', password, fullName: 'First Name' },
    });
    const { accessToken } = (signUp.data as { signUp: { accessToken: string } }).signUp;
    const { run, dispose } = socket(server, accessToken);
    try {
      // Parsed documents are kept and shared across operations: never a refusal, never data.
      for (let i = 0; i < 3; i++) {
        expect(codes(await run('{ me { id nope } }'))).toEqual(['GRAPHQL_VALIDATION_FAILED']);
        expect(codes(await run('{ a: me { id } b: me { id } c: me { id } }'))).toEqual(['QUERY_TOO_COMPLEX']);
      }
      expect(await run('{ me { fullName } }')).toEqual({ data: { me: { fullName: 'First Name' } } });
      await sql(server.app, "update users set full_name = 'Second Name' where email = 'ws-repeat@example.com'");
      expect(await run('{ me { fullName } }')).toEqual({ data: { me: { fullName: 'Second Name' } } });
    } finally {
      await dispose();
    }
  });

  it('an ordinary query is not affected', async () => {
    const res = await server.raw('{ currencies { code name } }');
    expect(res.errors).toBeUndefined();
  });
});

describe('transport rules', () => {
  const server = useTestServer();

  it('refuses batched requests (a JSON array) with HTTP 400', async () => {
    const res = await fetch(server.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([{ query: '{ __typename }' }, { query: '{ __typename }' }]),
    });
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/batching/i);
  });

  it('CSRF: a simple (text/plain, form) POST is refused with HTTP 400 and runs nothing', async () => {
    const email = 'csrf-victim@example.com';
    const body = JSON.stringify({
      query: 'mutation ($input: SignUpInput!) { signUp(input: $input) { accessToken } }',
      variables: { input: { email, password, fullName: 'CSRF' } },
    });
    const textPlain = await fetch(server.graphqlUrl, { method: 'POST', headers: { 'content-type': 'text/plain' }, body });
    expect(textPlain.status).toBe(400);
    expect(await textPlain.text()).toMatch(/Cross-Site Request Forgery/i);

    const form = await fetch(server.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ query: '{ __typename }' }).toString(),
    });
    expect(form.status).toBe(400);

    // Nothing ran: the email is still free.
    const signUp = await server.gql(SignUpDocument, { input: { email, password, fullName: 'Real' } });
    expect(signUp.errors).toBeUndefined();
  });

  it('CSRF: a GET without a preflight-forcing header is refused; with one it runs', async () => {
    const url = `${server.graphqlUrl}?query=${encodeURIComponent('{ __typename }')}`;
    const bare = await fetch(url);
    expect(bare.status).toBe(400);
    expect(await bare.text()).toMatch(/Cross-Site Request Forgery/i);

    const preflighted: Array<Record<string, string>> = [
      { 'apollo-require-preflight': 'true' },
      { 'content-type': 'application/json' },
      { 'x-apollo-operation-name': 'Q' },
    ];
    for (const headers of preflighted) {
      const res = await fetch(url, { headers });
      expect(res.status, JSON.stringify(headers)).toBe(200);
      expect(await res.json()).toEqual({ data: { __typename: 'Query' } });
    }
  });

  it('a mutation cannot be sent with GET', async () => {
    const url = `${server.graphqlUrl}?query=${encodeURIComponent('mutation { logOut { revoked } }')}`;
    const res = await fetch(url, { headers: { 'apollo-require-preflight': 'true' } });
    expect(res.status).toBe(405);
  });

  it('refuses a body over BODY_LIMIT_BYTES with HTTP 413', async () => {
    const res = await fetch(server.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: `{ __typename } # ${'x'.repeat(200 * 1024)}` }),
    });
    expect(res.status).toBe(413);
  });
});

describe('CORS and security headers', () => {
  const server = useTestServer({ CORS_ORIGINS: 'https://app.example.com, https://admin.example.com' }, { reset: false });

  const preflight = (origin: string) =>
    fetch(server.graphqlUrl, {
      method: 'OPTIONS',
      headers: {
        origin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type,authorization',
      },
    });

  it('answers preflights from the configured origins only', async () => {
    const allowed = await preflight('https://admin.example.com');
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://admin.example.com');
    expect(allowed.headers.get('access-control-allow-methods')).toMatch(/POST/);

    const other = await preflight('https://evil.example.net');
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('marks responses to an allowed origin, and no other', async () => {
    const ok = await server.raw('{ __typename }', undefined, { headers: { origin: 'https://app.example.com' } });
    expect(ok.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    const evil = await server.raw('{ __typename }', undefined, { headers: { origin: 'https://evil.example.net' } });
    expect(evil.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('sends helmet headers', async () => {
    const res = await server.raw('{ __typename }');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    expect(res.headers.get('strict-transport-security')).toMatch(/max-age=/);
    expect(res.headers.get('x-powered-by')).toBeNull();
  });
});

describe('development', () => {
  const server = useTestServer({ NODE_ENV: 'development' }, { reset: false });

  it('serves Apollo Sandbox on GET /graphql to a browser', async () => {
    const res = await fetch(server.graphqlUrl, { headers: { accept: 'text/html' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    const html = await res.text();
    expect(html).toMatch(/sandbox/i);
    expect(html).toMatch(/embeddable-sandbox/);
  });

  it('answers introspection', async () => {
    const res = await server.raw('{ __schema { queryType { name } } }');
    expect(res.errors).toBeUndefined();
    expect(res.data).toEqual({ __schema: { queryType: { name: 'Query' } } });
  });
});

describe('production', () => {
  const server = useTestServer(productionEnv());

  it('refuses introspection', async () => {
    for (const query of ['{ __schema { queryType { name } } }', '{ __type(name: "User") { name } }']) {
      const res = await server.raw(query);
      expect(res.data, query).toBeUndefined();
      expect(codes(res), query).toEqual(['GRAPHQL_VALIDATION_FAILED']);
      expect(res.errors![0].message).toMatch(/introspection/i);
    }
  });

  it('serves no Sandbox landing page', async () => {
    const res = await fetch(server.graphqlUrl, { headers: { accept: 'text/html' } });
    expect(res.status).not.toBe(200);
    expect(res.headers.get('content-type') ?? '').not.toMatch(/text\/html/);
    expect(await res.text()).not.toMatch(/sandbox/i);
  });

  it('serves no bundled GraphiQL', async () => {
    for (const path of ['/graphiql', '/graphiql/assets/graphiql.min.js']) {
      expect((await fetch(`${server.url}${path}`)).status, path).toBe(404);
    }
  });

  it('still answers operations, signed with the configured keys', async () => {
    const res = await server.gql(SignUpDocument, { input: { email: 'prod@example.com', password, fullName: 'Prod' } });
    expect(res.errors).toBeUndefined();
    expect(res.data!.signUp.accessToken.split('.')).toHaveLength(3);
    const header = JSON.parse(Buffer.from(res.data!.signUp.accessToken.split('.')[0], 'base64url').toString()) as { alg: string };
    expect(header.alg).toBe('EdDSA');
    expect((await server.raw('{ __typename }')).data).toEqual({ __typename: 'Query' });
  });

  it('suggests no field, over HTTP or WebSocket: with introspection off, suggestions would spell out the schema', async () => {
    const misspelt = '{ mee { id } }';
    const res = await server.raw(misspelt);
    expect(codes(res)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    expect(res.errors![0].message).toBe('Cannot query field "mee" on type "Query".');
    const signedUp = await server.gql(SignUpDocument, { input: { email: 'prod-typo@example.com', password, fullName: 'Prod Typo' } });
    const { run, dispose } = socket(server, signedUp.data!.signUp.accessToken);
    try {
      const denied = await run(misspelt);
      expect(codes(denied)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
      expect(denied.errors![0].message).toBe('Cannot query field "mee" on type "Query".');
    } finally {
      await dispose();
    }
  });

  it('refuses introspection over WebSocket too', async () => {
    const res = await server.gql(SignUpDocument, { input: { email: 'prod-ws@example.com', password, fullName: 'Prod WS' } });
    const { run, dispose } = socket(server, res.data!.signUp.accessToken);
    try {
      expect(await run('{ __typename }')).toEqual({ data: { __typename: 'Query' } });
      for (const query of ['{ __schema { queryType { name } } }', '{ __type(name: "User") { name } }']) {
        const denied = await run(query);
        expect(denied.data, query).toBeUndefined();
        // graphql-js reports each introspection field it meets: all with the same code.
        expect(new Set(codes(denied)), query).toEqual(new Set(['GRAPHQL_VALIDATION_FAILED']));
        expect(denied.errors![0].message).toMatch(/introspection/i);
      }
    } finally {
      await dispose();
    }
  });

  it('sends a Content-Security-Policy (development leaves it off for Sandbox)', async () => {
    const res = await fetch(`${server.url}/healthz`);
    expect(res.headers.get('content-security-policy')).toMatch(/default-src 'self'/);
  });
});
