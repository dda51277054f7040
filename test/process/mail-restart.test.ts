import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignUpDocument, VerifyEmailDocument } from '../generated/graphql.js';
import { childServerEnv } from '../support/child-env.js';
import { workerDatabaseUrl } from '../support/db.js';
import { linkToken, startMailServer, type TestMailServer } from '../support/mail.js';
import { cleanEnv, ensureBuilt, freePort, gql, MAIN, spawnNode, waitForHttp, type Child } from './child.js';
import pg from 'pg';

/**
 * The outbox across a crash: the built server is killed (SIGKILL) while the SMTP server holds
 * its message unanswered; another process on the same database sends it once its lease ends.
 * Nothing is lost, and the relay delivers it once.
 */

let mail: TestMailServer;
let dataDir: string;
const children: Child[] = [];

beforeAll(async () => {
  ensureBuilt();
  mail = await startMailServer();
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'wallet-mail-restart-'));
});

afterAll(async () => {
  await Promise.all(children.map((c) => c.kill()));
  await mail?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

async function start(label: string): Promise<{ child: Child; graphqlUrl: string }> {
  const port = await freePort();
  const child = spawnNode(
    MAIN,
    [],
    cleanEnv({
      ...(await childServerEnv(label, port, dataDir)),
      SMTP_URL: mail.url,
      MAIL_WORKER_INTERVAL_MS: '100',
      // Each SMTP step is bounded by 1 s; a claimed row is its worker's for 3 s.
      MAIL_SEND_TIMEOUT_SECONDS: '1',
    }),
  );
  children.push(child);
  await waitForHttp(`http://127.0.0.1:${port}/readyz`, child, { timeoutMs: 30_000 });
  return { child, graphqlUrl: `http://127.0.0.1:${port}/graphql` };
}

async function outbox(): Promise<Array<{ status: string; attempts: number }>> {
  const client = new pg.Client({ connectionString: await workerDatabaseUrl() });
  await client.connect();
  try {
    return (await client.query<{ status: string; attempts: number }>('select status, attempts from mail_outbox')).rows;
  } finally {
    await client.end();
  }
}

describe('a restart of the API mid-send', () => {
  it('loses nothing and delivers once', async () => {
    mail.hold();
    const first = await start('mail-a');
    const email = 'mid-send@example.com';
    const signUp = await gql(first.graphqlUrl, SignUpDocument, { input: { email, password: 'correct horse battery', fullName: 'Mid Send' } });
    expect(signUp.errors).toBeUndefined();

    // The message is on the wire, unanswered; the process dies there.
    for (let i = 0; i < 100 && mail.dataStarted() === 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect(mail.dataStarted()).toBe(1);
    first.child.process.kill('SIGKILL');
    await new Promise((r) => first.child.process.once('exit', r));
    // The relay notices the hang-up; what it never acknowledged it drops.
    for (let i = 0; i < 100 && mail.openConnections() > 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect(mail.openConnections()).toBe(0);
    mail.release();
    expect(mail.received).toHaveLength(0);
    expect(await outbox()).toEqual([{ status: 'PENDING', attempts: 1 }]);

    // Another process takes the row once the dead one's lease has ended, and sends it.
    const second = await start('mail-b');
    const message = await mail.waitFor(email, () => true, 20_000);
    expect(mail.received).toHaveLength(1);
    expect(mail.dataStarted()).toBe(2);
    expect(await outbox()).toEqual([{ status: 'SENT', attempts: 2 }]);

    // And its link works.
    const verified = await gql(second.graphqlUrl, VerifyEmailDocument, { input: { token: linkToken(message) } });
    expect(verified.errors, JSON.stringify(verified.errors)).toBeUndefined();
    expect(verified.data!.verifyEmail.email).toBe(email);
  });
});
