import { describe, expect, it } from 'vitest';
import { MeDocument, SignUpDocument } from '../generated/graphql.js';
import { useTestServer } from '../support/server.js';

/** Fastify's "request completed" line of a GraphQL request names the operation and the user. */
const server = useTestServer({}, { reset: false });

interface Line {
  msg?: string;
  reqId?: string;
  operationName?: string | null;
  userId?: string | null;
  res?: { statusCode?: number };
}

function completed(requestId: string): Line {
  const lines = server.logs.map((l) => JSON.parse(l) as Line).filter((l) => l.reqId === requestId && l.msg === 'request completed');
  expect(lines, `one "request completed" line for ${requestId}`).toHaveLength(1);
  return lines[0];
}

/** The line is written once the response has gone: wait for it. */
async function waitForLine(requestId: string): Promise<void> {
  for (let i = 0; i < 100 && !server.logs.some((l) => l.includes(requestId) && l.includes('request completed')); i++) {
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('request log lines', () => {
  it('carry operationName and userId (null when nobody is signed in or the operation has no name)', async () => {
    const up = await server.gql(
      SignUpDocument,
      { input: { email: 'logged@example.com', password: 'password-123456', fullName: 'Logged' } },
      { headers: { 'x-request-id': 'log-signup' } },
    );
    const { accessToken, user } = up.data!.signUp;
    await server.gql(MeDocument, {}, { token: accessToken, headers: { 'x-request-id': 'log-me' } });
    await server.raw('{ currencies { code } }', undefined, { headers: { 'x-request-id': 'log-anonymous' } });
    const failed = await server.raw('query Broken { nope }', undefined, { token: accessToken, headers: { 'x-request-id': 'log-broken' } });
    expect(failed.status).toBe(400);
    for (const id of ['log-signup', 'log-me', 'log-anonymous', 'log-broken']) await waitForLine(id);

    // Signing up: nobody was signed in when the request came.
    expect(completed('log-signup')).toMatchObject({ operationName: 'SignUp', userId: null, res: { statusCode: 200 } });
    expect(completed('log-me')).toMatchObject({ operationName: 'Me', userId: user.id });
    expect(completed('log-anonymous')).toMatchObject({ operationName: null, userId: null });
    // A document that fails validation still names what it was called and who sent it.
    expect(completed('log-broken')).toMatchObject({ operationName: 'Broken', userId: user.id, res: { statusCode: 400 } });
  });
});
