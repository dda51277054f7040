import 'reflect-metadata';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { SignUpDocument } from '../generated/graphql.js';
import { useTestServer } from '../support/server.js';

const server = useTestServer();

async function sql(text: string): Promise<void> {
  const client = new pg.Client({ connectionString: server.databaseUrl });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('unexpected errors', () => {
  it('reach the client masked and are logged with the request id', async () => {
    const signUp = await server.gql(SignUpDocument, {
      input: { email: 'masked@example.com', password: 'password-1', fullName: 'Masked' },
    });
    const token = signUp.data!.signUp.accessToken;
    const query = 'query Broken { transactions { edges { cursor } } }';
    // A different document first: an answer to `query` itself could be served from the cache.
    const before = await server.raw('query Before { transactions { edges { cursor } } }', undefined, { token });
    expect(before.errors).toBeUndefined();

    // The history table disappears under the server's feet: a failure nobody planned for.
    await sql('alter table transactions rename to transactions_hidden_by_test');
    let res;
    try {
      res = await server.raw(query, undefined, { token });
    } finally {
      await sql('alter table transactions_hidden_by_test rename to transactions');
    }

    expect(res.status).toBe(200);
    expect(res.data).toBeNull();
    expect(res.errors).toHaveLength(1);
    const [error] = res.errors!;
    expect(error.extensions).toEqual({ code: 'INTERNAL_SERVER_ERROR' });
    expect(error.message).toBe('Internal server error');
    const body = JSON.stringify(res);
    for (const leak of ['transactions_hidden', 'relation', 'select', 'does not exist', 'stack', 'at ']) {
      expect(body.toLowerCase()).not.toContain(leak);
    }

    const requestId = res.headers.get('x-request-id');
    expect(requestId).toMatch(UUID);
    const logged = server.logs
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((line) => (line.level as number) >= 50 && (line.reqId === requestId || line.requestId === requestId));
    expect(logged.length, `no error log line carries request id ${requestId}`).toBeGreaterThan(0);
    // The log keeps what the client does not see.
    expect(JSON.stringify(logged)).toMatch(/transactions_hidden_by_test|transactions/);

    // The table is back and the server answers normally again.
    const after = await server.raw(query, undefined, { token });
    expect(after.errors).toBeUndefined();
  });
});

describe('request ids', () => {
  it('echo a well-formed x-request-id sent by the client', async () => {
    const res = await server.raw('{ __typename }', undefined, { headers: { 'x-request-id': 'client-req.42:abc' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-request-id')).toBe('client-req.42:abc');
  });

  it('replace a malformed or oversized x-request-id with a fresh one', async () => {
    for (const given of ['has spaces in it', 'semi;colon', 'x'.repeat(129), '<script>']) {
      const res = await server.raw('{ __typename }', undefined, { headers: { 'x-request-id': given } });
      expect(res.status).toBe(200);
      const id = res.headers.get('x-request-id');
      expect(id).not.toBe(given);
      expect(id).toMatch(UUID);
    }
  });

  it('are made when the client sends none, one per request', async () => {
    const a = await server.raw('{ __typename }');
    const b = await server.raw('{ __typename }');
    expect(a.headers.get('x-request-id')).toMatch(UUID);
    expect(b.headers.get('x-request-id')).toMatch(UUID);
    expect(a.headers.get('x-request-id')).not.toBe(b.headers.get('x-request-id'));
  });

  it('are set on routes outside GraphQL too', async () => {
    const res = await fetch(`${server.url}/healthz`, { headers: { 'x-request-id': 'health-probe-1' } });
    expect(res.headers.get('x-request-id')).toBe('health-probe-1');
  });
});

describe('GraphQL errors keep their own codes', () => {
  it('a document that does not parse: GRAPHQL_PARSE_FAILED', async () => {
    const res = await server.raw('{ me { id ');
    expect(res.errors).toHaveLength(1);
    expect(res.errors![0].extensions?.code).toBe('GRAPHQL_PARSE_FAILED');
    expect(res.errors![0].message).toMatch(/^Syntax Error/);
    expect(res.errors![0].extensions).not.toHaveProperty('stacktrace');
  });

  it('an unknown field: GRAPHQL_VALIDATION_FAILED', async () => {
    const res = await server.raw('{ me { id passwordHash } }');
    expect(res.errors).toHaveLength(1);
    expect(res.errors![0].extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(res.errors![0].message).toMatch(/passwordHash/);
    expect(res.data).toBeUndefined();
  });

  it('a variable of the wrong type: BAD_USER_INPUT, and nothing runs', async () => {
    const res = await server.raw('mutation ($input: SignUpInput!) { signUp(input: $input) { accessToken } }', {
      input: { email: 'bad-var@example.com', password: 12345678, fullName: 'Bad Var' },
    });
    expect(res.errors).toHaveLength(1);
    expect(res.errors![0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(res.errors![0].message).toMatch(/password/);
    // Coercion failed before execution: the account was not created.
    const retry = await server.gql(SignUpDocument, {
      input: { email: 'bad-var@example.com', password: 'k3#Lp9!q', fullName: 'Bad Var' },
    });
    expect(retry.errors).toBeUndefined();
  });

  it('a missing required variable: BAD_USER_INPUT', async () => {
    const res = await server.raw('query ($email: String!) { userByEmail(email: $email) { id } }', {});
    expect(res.errors![0].extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('a literal of the wrong type: GRAPHQL_VALIDATION_FAILED', async () => {
    const res = await server.raw('{ userByEmail(email: 42) { id } }');
    expect(res.errors![0].extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  it('a field error the server meant (UNAUTHENTICATED) keeps its code and message, without a stack', async () => {
    const res = await server.raw('{ userByEmail(email: "a@example.com") { id } }');
    expect(res.errors).toHaveLength(1);
    expect(res.errors![0].extensions?.code).toBe('UNAUTHENTICATED');
    expect(res.errors![0].extensions).not.toHaveProperty('stacktrace');
    expect(res.errors![0].message).not.toBe('Internal server error');
  });
});
