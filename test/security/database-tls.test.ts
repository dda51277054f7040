import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate, openOrm, sideConnection } from '../../src/db/orm.js';
import { postgresSsl, withoutSslMode } from '../../src/db/tls.js';
import { MeDocument, SignUpDocument } from '../generated/graphql.js';
import { freePort } from '../process/child.js';
import { startTestServer, type TestServer } from '../support/server.js';

/**
 * Security review finding: `sslmode` in DATABASE_URL reached only the migration lock's
 * `pg.Client`; MikroORM's pool connected in plaintext. This suite runs a PostgreSQL of its own
 * with TLS on and a pg_hba.conf that refuses every plaintext connection (but to one database,
 * `plaintext`, kept to show the checks can fail), then runs the real server against it.
 */

const BIN = '/usr/lib/postgresql/15/bin';
/** PostgreSQL refuses to run as root: then it runs as the `postgres` user. */
const AS_ROOT = process.getuid?.() === 0;
const PASSWORD = 'correct horse battery';

let dir: string;
let port: number;
let caPath: string;
let otherCaPath: string;
let admin: pg.Client;

function run(file: string, args: string[]): void {
  const [cmd, argv] = AS_ROOT ? ['runuser', ['-u', 'postgres', '--', file, ...args]] : [file, args];
  execFileSync(cmd, argv, { cwd: dir, stdio: 'pipe', timeout: 30_000 });
}

function openssl(...args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
}

function url(db: string, query: string, host = 'localhost'): string {
  return `postgres://postgres@${host}:${port}/${db}${query ? `?${query}` : ''}`;
}

/** The client backends of `db` (the admin connection is on `postgres`) and whether they use TLS. */
async function backends(db: string): Promise<{ pid: number; ssl: boolean; version: string | null }[]> {
  const { rows } = await admin.query<{ pid: number; ssl: boolean; version: string | null }>(
    `select a.pid, s.ssl, s.version from pg_stat_activity a join pg_stat_ssl s using (pid)
     where a.backend_type = 'client backend' and a.datname = $1 order by a.pid`,
    [db],
  );
  return rows;
}

/** Every connection PostgreSQL accepted into `db`, from its log (log_connections=on). */
function authorizedConnections(db: string): string[] {
  return readFileSync(path.join(dir, 'postgres.log'), 'utf8')
    .split('\n')
    .filter((line) => line.includes('connection authorized') && line.includes(`database=${db} `));
}

/** Whether a connection of the ORM's pool (the real one, with `sslCa`) uses TLS; throws if it cannot connect. */
async function poolUsesTls(databaseUrl: string, sslCa?: string): Promise<boolean> {
  const orm = await openOrm(databaseUrl, 1, sslCa);
  try {
    const [row] = await orm.em.getConnection().execute<{ ssl: boolean }[]>('select ssl from pg_stat_ssl where pid = pg_backend_pid()');
    return row.ssl;
  } finally {
    await orm.close(true);
  }
}

async function waitMigrated(server: TestServer, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!server.app.readiness.migrated) {
    if (Date.now() > deadline) {
      const failures = server.logs.filter((l) => l.includes('migrations could not run'));
      throw new Error(`migrations did not finish: ${failures.at(-1) ?? 'no error logged'}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function signUpAndMe(server: TestServer, prefix: string, count: number): Promise<void> {
  const signUps = await Promise.all(
    Array.from({ length: count }, (_, i) =>
      server.gql(SignUpDocument, { input: { email: `${prefix}${i}@example.com`, password: PASSWORD, fullName: `TLS ${i}` } }),
    ),
  );
  for (const res of signUps) expect(res.errors).toBeUndefined();
  const mes = await Promise.all(signUps.map((res) => server.gql(MeDocument, undefined, { token: res.data!.signUp.accessToken })));
  expect(mes.map((res) => res.data?.me?.email)).toEqual(signUps.map((_, i) => `${prefix}${i}@example.com`));
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'wallet-pg-tls-'));
  port = await freePort();
  writeFileSync(
    path.join(dir, 'openssl.cnf'),
    [
      '[req]',
      'distinguished_name = dn',
      'prompt = no',
      '[dn]',
      'CN = unused',
      '[ca]',
      'basicConstraints = critical,CA:TRUE',
      'keyUsage = critical,keyCertSign,cRLSign',
      'subjectKeyIdentifier = hash',
      '[server]',
      'basicConstraints = CA:FALSE',
      'keyUsage = critical,digitalSignature,keyEncipherment',
      'extendedKeyUsage = serverAuth',
      'subjectAltName = DNS:localhost,IP:127.0.0.1',
      'authorityKeyIdentifier = keyid',
      '',
    ].join('\n'),
  );
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  for (const ca of ['ca', 'other-ca']) {
    openssl('req', '-x509', '-new', '-config', 'openssl.cnf', '-extensions', 'ca', ...ec, '-keyout', `${ca}.key`, '-out', `${ca}.crt`, '-days', '2', '-subj', `/CN=Wallet test ${ca}`);
  }
  openssl('req', '-new', '-config', 'openssl.cnf', ...ec, '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=localhost');
  openssl('x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.crt', '-days', '2', '-extfile', 'openssl.cnf', '-extensions', 'server');
  caPath = path.join(dir, 'ca.crt');
  otherCaPath = path.join(dir, 'other-ca.crt');
  if (AS_ROOT) execFileSync('chown', ['-R', 'postgres:postgres', dir]);

  const data = path.join(dir, 'data');
  run(path.join(BIN, 'initdb'), ['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C', '-N']);
  appendFileSync(
    path.join(data, 'postgresql.conf'),
    [
      `port = ${port}`,
      `listen_addresses = '127.0.0.1,127.0.0.2'`,
      `unix_socket_directories = '${dir}'`,
      'ssl = on',
      `ssl_cert_file = '${path.join(dir, 'server.crt')}'`,
      `ssl_key_file = '${path.join(dir, 'server.key')}'`,
      'fsync = off',
      'log_connections = on',
      '',
    ].join('\n'),
  );
  // TLS or nothing, but for the database `plaintext`.
  writeFileSync(
    path.join(data, 'pg_hba.conf'),
    [
      'hostssl   all       postgres 127.0.0.0/8  trust',
      'hostnossl plaintext postgres 127.0.0.1/32 trust',
      'hostnossl all       all      0.0.0.0/0    reject',
      '',
    ].join('\n'),
  );
  run(path.join(BIN, 'pg_ctl'), ['-D', data, '-l', path.join(dir, 'postgres.log'), '-w', '-t', '20', 'start']);

  admin = new pg.Client({ ...sideConfig(url('postgres', 'sslmode=verify-full')), ssl: postgresSsl(url('postgres', 'sslmode=verify-full'), caPath) });
  await admin.connect();
  for (const db of ['app_full', 'app_require', 'wrong_ca', 'lock_check', 'plaintext']) await admin.query(`create database ${db}`);
}, 60_000);

function sideConfig(databaseUrl: string): pg.ClientConfig {
  return { connectionString: withoutSslMode(databaseUrl), connectionTimeoutMillis: 5_000 };
}

afterAll(async () => {
  await admin?.end().catch(() => undefined);
  if (dir) {
    try {
      run(path.join(BIN, 'pg_ctl'), ['-D', path.join(dir, 'data'), '-m', 'immediate', 'stop']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
});

describe('DATABASE_URL sslmode, for every PostgreSQL connection of the server', () => {
  it('verify-full with DATABASE_SSL_CA: the pool and the migration lock use TLS, and plaintext is refused', async () => {
    // Plaintext into app_full is refused outright: whatever connected below used TLS.
    const plain = new pg.Client({ ...sideConfig(url('app_full', '', '127.0.0.1')), ssl: false });
    await expect(plain.connect()).rejects.toThrow(/no encryption/);

    const server = await startTestServer(
      { DATABASE_URL: url('app_full', 'sslmode=verify-full'), DATABASE_SSL_CA: caPath },
      { waitForMigrations: false },
    );
    try {
      // Migrations ran: the lock client (a pg.Client of its own) and the pool both connected.
      await waitMigrated(server);
      const ready = await fetch(`${server.url}/readyz`);
      expect(ready.status).toBe(200);
      await signUpAndMe(server, 'full', 4);
      // The pool's four connections (DATABASE_POOL_MAX=4 in tests) open at once.
      const fork = () => server.app.orm.em.fork().getConnection();
      await Promise.all([1, 2, 3, 4].map(() => fork().execute('select pg_sleep(0.2)')));

      const live = await backends('app_full');
      expect(live.length).toBeGreaterThanOrEqual(3);
      expect(live.filter((b) => !b.ssl)).toEqual([]);
      expect(live.every((b) => b.version?.startsWith('TLSv1.'))).toBe(true);
      // Every connection PostgreSQL ever accepted into app_full, the closed migration lock
      // connection included (hence more than the live ones), was a TLS one.
      const authorized = authorizedConnections('app_full');
      expect(authorized.length).toBeGreaterThan(live.length);
      expect(authorized.filter((line) => !line.includes('SSL enabled'))).toEqual([]);
    } finally {
      await server.close();
    }
  });

  it('require without a CA: TLS, the certificate unchecked', async () => {
    const server = await startTestServer({ DATABASE_URL: url('app_require', 'sslmode=require') }, { waitForMigrations: false });
    try {
      await waitMigrated(server);
      await signUpAndMe(server, 'require', 2);
      const live = await backends('app_require');
      expect(live.length).toBeGreaterThanOrEqual(1);
      expect(live.filter((b) => !b.ssl)).toEqual([]);
    } finally {
      await server.close();
    }
  });

  it('verify-full with a CA that did not sign the certificate: never ready, nothing connected', async () => {
    const server = await startTestServer(
      { DATABASE_URL: url('wrong_ca', 'sslmode=verify-full'), DATABASE_SSL_CA: otherCaPath },
      { waitForMigrations: false },
    );
    try {
      const deadline = Date.now() + 2_500;
      do {
        const res = await fetch(`${server.url}/readyz`);
        expect(res.status).toBe(503);
        expect(((await res.json()) as { checks: { postgres: string } }).checks.postgres).toBe('down');
        await new Promise((resolve) => setTimeout(resolve, 250));
      } while (Date.now() < deadline);
      expect(server.app.readiness.migrated).toBe(false);
      expect(server.logs.some((l) => l.includes('migrations could not run') && /certificate/i.test(l))).toBe(true);
      expect(authorizedConnections('wrong_ca')).toEqual([]);
    } finally {
      await server.close();
    }
  });

  it('disable: plaintext, which the same checks catch', async () => {
    const server = await startTestServer({ DATABASE_URL: url('plaintext', 'sslmode=disable', '127.0.0.1') }, { waitForMigrations: false });
    try {
      await waitMigrated(server);
      await signUpAndMe(server, 'plain', 2);
      const live = await backends('plaintext');
      expect(live.length).toBeGreaterThanOrEqual(1);
      expect(live.every((b) => !b.ssl)).toBe(true);
      expect(authorizedConnections('plaintext').every((line) => !line.includes('SSL enabled'))).toBe(true);
    } finally {
      await server.close();
    }
  });
});

describe('the sslmode values, on a connection of the real pool', () => {
  const CERT_REFUSED = /certificate|self.signed/i;

  it('verify-full checks the CA and the host name (localhost and 127.0.0.1 are in the certificate, 127.0.0.2 is not)', async () => {
    expect(await poolUsesTls(url('app_full', 'sslmode=verify-full'), caPath)).toBe(true);
    expect(await poolUsesTls(url('app_full', 'sslmode=verify-full', '127.0.0.1'), caPath)).toBe(true);
    await expect(poolUsesTls(url('app_full', 'sslmode=verify-full', '127.0.0.2'), caPath)).rejects.toThrow(/altnames/);
    await expect(poolUsesTls(url('app_full', 'sslmode=verify-full'), otherCaPath)).rejects.toThrow(CERT_REFUSED);
    // Without DATABASE_SSL_CA: Node's default CA store, which does not know this CA.
    await expect(poolUsesTls(url('app_full', 'sslmode=verify-full'))).rejects.toThrow(CERT_REFUSED);
  });

  it('verify-ca checks the CA, not the host name', async () => {
    expect(await poolUsesTls(url('app_full', 'sslmode=verify-ca', '127.0.0.2'), caPath)).toBe(true);
    await expect(poolUsesTls(url('app_full', 'sslmode=verify-ca', '127.0.0.2'), otherCaPath)).rejects.toThrow(CERT_REFUSED);
  });

  it('require checks nothing without a CA, and the CA (as libpq does) with one', async () => {
    expect(await poolUsesTls(url('app_full', 'sslmode=require', '127.0.0.2'))).toBe(true);
    expect(await poolUsesTls(url('app_full', 'sslmode=require', '127.0.0.2'), caPath)).toBe(true);
    await expect(poolUsesTls(url('app_full', 'sslmode=require'), otherCaPath)).rejects.toThrow(CERT_REFUSED);
  });

  it('disable, prefer, allow and no sslmode are plaintext (refused where pg_hba.conf wants TLS)', async () => {
    for (const query of ['sslmode=disable', 'sslmode=prefer', 'sslmode=allow', '']) {
      expect(await poolUsesTls(url('plaintext', query, '127.0.0.1'))).toBe(false);
    }
    await expect(poolUsesTls(url('app_full', 'sslmode=disable', '127.0.0.1'))).rejects.toThrow(/no encryption/);
  });

  it('refuses, at start-up, what it cannot honour', async () => {
    await expect(openOrm(url('app_full', 'sslmode=verify_full'), 1)).rejects.toThrow(/unknown sslmode "verify_full"/);
    await expect(openOrm(url('app_full', 'sslmode=no-verify'), 1)).rejects.toThrow(/use sslmode=require/);
    await expect(openOrm(url('app_full', 'sslmode=verify-full&sslrootcert=/x.pem'), 1)).rejects.toThrow(/sslrootcert not supported/);
    await expect(openOrm(url('app_full', ''), 1, caPath)).rejects.toThrow(/DATABASE_SSL_CA is set but .*plaintext/);
    await expect(openOrm(url('app_full', 'sslmode=verify-full'), 1, path.join(dir, 'missing.pem'))).rejects.toThrow(/DATABASE_SSL_CA: cannot read/);
    await expect(openOrm(url('app_full', 'sslmode=verify-full'), 1, path.join(dir, 'openssl.cnf'))).rejects.toThrow(/no PEM certificate/);
    await expect(
      startTestServer({ DATABASE_URL: url('app_full', 'sslmode=verify-fulll'), DATABASE_SSL_CA: caPath }),
    ).rejects.toThrow(/unknown sslmode "verify-fulll"/);
  });
});

describe('the migration lock connection', () => {
  it("takes the pool's TLS options, not node-postgres's reading of the URL", async () => {
    // node-postgres alone reads sslmode=require as verify-full: with the URL's sslmode left in
    // its connection string, this connection (127.0.0.2 is not in the certificate) would fail.
    const orm = await openOrm(url('lock_check', 'sslmode=require', '127.0.0.2'), 1);
    try {
      const lock = new pg.Client(sideConnection(orm, url('lock_check', 'sslmode=require', '127.0.0.2')));
      await lock.connect();
      const { rows } = await lock.query<{ ssl: boolean }>('select ssl from pg_stat_ssl where pid = pg_backend_pid()');
      await lock.end();
      expect(rows).toEqual([{ ssl: true }]);
      // migrate() on that ORM: the lock connection and the pool, both through hostssl lines.
      expect((await migrate(orm, url('lock_check', 'sslmode=require', '127.0.0.2'))).length).toBeGreaterThan(0);
    } finally {
      await orm.close(true);
    }
    expect(authorizedConnections('lock_check').filter((line) => !line.includes('SSL enabled'))).toEqual([]);
  });
});
