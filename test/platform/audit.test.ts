import 'reflect-metadata';
import { serverAudits, type AuditResult } from 'graphql-http';
import { describe, expect, it } from 'vitest';
import { useTestServer } from '../support/server.js';

/**
 * The GraphQL-over-HTTP spec's own audit suite (graphql-http's serverAudits) against the
 * development server: no MUST may fail. SHOULD and MAY results are left to the report.
 */
const server = useTestServer({ NODE_ENV: 'development' }, { reset: false });

function describeResult(result: AuditResult): string {
  return result.status === 'ok' ? `${result.id} ${result.name}` : `${result.id} ${result.name}: ${result.reason}`;
}

describe('GraphQL over HTTP (graphql-http serverAudits)', () => {
  it('passes every MUST audit', async () => {
    const audits = serverAudits({ url: server.graphqlUrl, fetchFn: fetch });
    const results = await Promise.all(audits.map((audit) => audit.fn()));
    const musts = results.filter((r) => r.name.startsWith('MUST'));
    // The suite really ran: graphql-http 1.23.1 has 13 MUST audits.
    expect(musts.length).toBeGreaterThanOrEqual(13);
    const failing = musts.filter((r) => r.status !== 'ok').map(describeResult);
    expect(failing, `failing MUST audits:\n${failing.join('\n')}`).toEqual([]);
  });
});
