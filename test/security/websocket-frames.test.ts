import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { useTestServer } from '../support/server.js';

/**
 * Issue 14's finding: WebSocket frames up to 100 MiB were accepted before authentication (six
 * anonymous 95 MiB `connection_init` frames took the server from 0.6 to 1.4 GB). A frame larger
 * than the HTTP body limit (BODY_LIMIT_BYTES) now closes the connection with 1009 before it is
 * kept, and the server goes on answering.
 */
const LIMIT = 16 * 1024;
const server = useTestServer({ BODY_LIMIT_BYTES: String(LIMIT) }, { reset: false });

function open(): Promise<WebSocket> {
  const ws = new WebSocket(server.graphqlUrl.replace(/^http/, 'ws'), 'graphql-transport-ws');
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

function closed(ws: WebSocket): Promise<number> {
  return new Promise((resolve) => ws.once('close', (code) => resolve(code)));
}

describe('WebSocket frames', () => {
  it('larger than the body limit close the connection with 1009, unauthenticated; the server goes on', async () => {
    const ws = await open();
    const end = closed(ws);
    const padding = 'x'.repeat(LIMIT + 1);
    ws.send(JSON.stringify({ type: 'connection_init', payload: { padding } }));
    expect(await end).toBe(1009);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });

  it('within the limit are read as usual (an init with a bad token is refused as unauthorized, not as too large)', async () => {
    const ws = await open();
    const end = closed(ws);
    ws.send(JSON.stringify({ type: 'connection_init', payload: { authorization: 'Bearer bad', padding: 'x'.repeat(LIMIT / 2) } }));
    expect(await end).toBe(4401);
    // Without credentials the same frame is acknowledged.
    const bare = await open();
    const first = new Promise<string>((resolve) => bare.once('message', (data: Buffer) => resolve(data.toString())));
    bare.send(JSON.stringify({ type: 'connection_init', payload: { padding: 'x'.repeat(LIMIT / 2) } }));
    expect(JSON.parse(await first)).toEqual({ type: 'connection_ack' });
    bare.close();
  });
});
