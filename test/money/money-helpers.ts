import http from 'node:http';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print, type FormattedExecutionResult } from 'graphql';
import { WalletTransactionsDocument, type WalletTransactionsQuery } from '../generated/graphql.js';

/**
 * HTTP helpers for the money suites: a GraphQL client whose requests go through a keep-alive
 * agent with a fixed number of sockets, so a test decides how many connections its clients
 * share (fetch's global pool would decide that for it).
 */

export interface Reply<T> extends FormattedExecutionResult<T> {
  status: number;
}

export interface Client {
  gql<R, V>(doc: TypedDocumentNode<R, V>, variables: V, token?: string): Promise<Reply<R>>;
  /** POSTs JSON to any URL of the server (the sandbox checkout). */
  postJson(url: string, body: unknown): Promise<{ status: number; body: unknown }>;
  get(url: string): Promise<{ status: number; body: unknown }>;
  close(): void;
}

const REQUEST_TIMEOUT_MS = 20_000;

const printed = new WeakMap<object, string>();

export function httpClient(graphqlUrl: string, sockets: number): Client {
  const agent = new http.Agent({ keepAlive: true, maxSockets: sockets });
  const send = (url: string, method: 'GET' | 'POST', headers: Record<string, string>, body?: string) =>
    new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = http.request(url, { method, agent, headers, timeout: REQUEST_TIMEOUT_MS }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      });
      req.on('timeout', () => req.destroy(new Error(`${method} ${url} took longer than ${REQUEST_TIMEOUT_MS} ms`)));
      req.on('error', reject);
      req.end(body);
    });
  const parse = (text: string): unknown => {
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  };
  return {
    async gql(doc, variables, token) {
      let query = printed.get(doc);
      if (query === undefined) printed.set(doc, (query = print(doc)));
      const body = JSON.stringify({ query, variables });
      const res = await send(
        graphqlUrl,
        'POST',
        {
          'content-type': 'application/json',
          'content-length': String(Buffer.byteLength(body)),
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body,
      );
      return { ...(JSON.parse(res.text) as FormattedExecutionResult<never>), status: res.status };
    },
    async postJson(url, value) {
      const body = JSON.stringify(value);
      const res = await send(url, 'POST', { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) }, body);
      return { status: res.status, body: parse(res.text) };
    },
    async get(url) {
      const res = await send(url, 'GET', {});
      return { status: res.status, body: parse(res.text) };
    },
    close() {
      agent.destroy();
    },
  };
}

export { errorCode, pool, sql, waitFor } from '../support/helpers.js';

export interface Row {
  id: string;
  type: string;
  status: string;
  direction: string;
  amount: bigint;
}

/** Every row of a wallet's history, as its owner sees it over GraphQL (all pages). */
export async function walletHistory(client: Client, token: string, walletId: string): Promise<Row[]> {
  const rows: Row[] = [];
  let after: string | null = null;
  for (let page = 0; page < 1_000; page++) {
    const res: Reply<WalletTransactionsQuery> = await client.gql(WalletTransactionsDocument, { id: walletId, first: 100, after }, token);
    if (res.errors) throw new Error(`history of ${walletId}: ${JSON.stringify(res.errors)}`);
    const conn: NonNullable<WalletTransactionsQuery['wallet']>['transactions'] = res.data!.wallet!.transactions;
    for (const { node } of conn.edges) {
      rows.push({ id: node.id, type: node.type, status: node.status, direction: node.direction, amount: BigInt(node.amount.amount) });
    }
    if (!conn.pageInfo.hasNextPage) return rows;
    after = conn.pageInfo.endCursor ?? null;
  }
  throw new Error('history did not end');
}

/**
 * What the rows say a wallet holds: COMPLETED credits minus COMPLETED debits. A REVERSED row
 * did move its money (a REVERSAL row beside it brings it back), so it counts too.
 */
export function signedSum(rows: Row[]): bigint {
  return rows
    .filter((r) => r.status === 'COMPLETED' || r.status === 'REVERSED')
    .reduce((sum, r) => sum + (r.direction === 'CREDIT' ? r.amount : -r.amount), 0n);
}

/** A small deterministic PRNG (mulberry32), so a failing run can be replayed with its seed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
