import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { print } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tracingWanted } from '../../src/telemetry/settings.js';
import { withoutLiterals } from '../../src/telemetry/sql.js';
import { FakePaystack } from '../fakes/paystack-server.js';
import { MeDocument, ResolveBankAccountDocument, SignUpDocument } from '../generated/graphql.js';
import { cleanEnv, ensureBuilt, freePort, MAIN, spawnNode, waitForHttp, type Child } from '../process/child.js';
import { childServerEnv } from '../support/child-env.js';

/**
 * OpenTelemetry tracing of the BUILT server, run as a child process (as `npm start` and the
 * image run it): in-process, the server's modules are already loaded by vitest before any
 * instrumentation could see them, so only a fresh process shows what production does. A plain
 * node:http server stands in for an OTLP/HTTP collector (POST /v1/traces, OTLP JSON).
 */

interface OtlpValue {
  stringValue?: string;
  intValue?: string | number;
  boolValue?: boolean;
}
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes?: { key: string; value: OtlpValue }[];
}
interface ReceivedSpan extends OtlpSpan {
  scope: string;
  resource: Record<string, string | undefined>;
  attrs: Record<string, string | number | boolean | undefined>;
}

const valueOf = (v: OtlpValue) => v.stringValue ?? (v.intValue !== undefined ? Number(v.intValue) : v.boolValue);

/** A stand-in collector: every span POSTed to /v1/traces, flattened. */
async function startReceiver(): Promise<{ url: string; spans: ReceivedSpan[]; posts: string[]; close(): Promise<void> }> {
  const spans: ReceivedSpan[] = [];
  const posts: string[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      posts.push(`${req.method} ${req.url} ${req.headers['content-type']}`);
      if (req.method === 'POST' && req.url === '/v1/traces') {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
          resourceSpans: {
            resource?: { attributes?: { key: string; value: OtlpValue }[] };
            scopeSpans: { scope?: { name?: string }; spans: OtlpSpan[] }[];
          }[];
        };
        for (const rs of body.resourceSpans ?? []) {
          const resource = Object.fromEntries((rs.resource?.attributes ?? []).map((a) => [a.key, String(valueOf(a.value))]));
          for (const ss of rs.scopeSpans ?? []) {
            for (const span of ss.spans ?? []) {
              const attrs = Object.fromEntries((span.attributes ?? []).map((a) => [a.key, valueOf(a.value)]));
              spans.push({ ...span, scope: ss.scope?.name ?? '', resource, attrs });
            }
          }
        }
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    spans,
    posts,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** The variables of the parent's environment that would turn tracing on or off in the child. */
function withoutOtel(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([key]) => !key.startsWith('OTEL_')));
}

/**
 * A preload whose ESM loader hook writes every module URL the process resolves to `file`:
 * what the server imported (OpenTelemetry's packages are imported, if at all, through ESM).
 */
async function resolveRecorder(dir: string, file: string): Promise<string> {
  const hooks = path.join(dir, 'record-hooks.mjs');
  await writeFile(
    hooks,
    `import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  appendFileSync(${JSON.stringify(file)}, result.url + '\\n');
  return result;
}
`,
  );
  const preload = path.join(dir, 'record.mjs');
  await writeFile(preload, `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(hooks).href)});\n`);
  return preload;
}

async function post<T>(url: string, query: string, variables: unknown, headers: Record<string, string> = {}): Promise<T> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
    signal: AbortSignal.timeout(15_000),
  });
  const json = (await res.json()) as { data?: T; errors?: unknown[] };
  if (json.errors) throw new Error(`GraphQL errors: ${JSON.stringify(json.errors)}`);
  return json.data!;
}

async function until<T>(what: string, probe: () => T | undefined, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = probe();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

interface Started {
  child: Child;
  port: number;
  dataDir: string;
}

async function startServer(env: Record<string, string>, opts: { preload?: string } = {}): Promise<Started> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'wallet-otel-'));
  const port = await freePort();
  const base = withoutOtel(
    cleanEnv(await childServerEnv('otel', port, dataDir)),
  );
  if (opts.preload) base.NODE_OPTIONS = `${base.NODE_OPTIONS ?? ''} --import ${pathToFileURL(opts.preload).href}`.trim();
  const child = spawnNode(MAIN, [], { ...base, ...env });
  await waitForHttp(`http://127.0.0.1:${port}/readyz`, child, { timeoutMs: 30_000 });
  return { child, port, dataDir };
}

async function stopServer(started: Started | undefined): Promise<void> {
  if (!started) return;
  await started.child.kill();
  await rm(started.dataDir, { recursive: true, force: true });
}

describe('withoutLiterals', () => {
  it('leaves the statement shape and no value', () => {
    expect(
      withoutLiterals(
        `insert into "users" ("id", "email", "n2") values ('b0f3-49', 'a''b@example.com', E'x\\y', 12, -3.5, 1e3, $1) returning "t1"."id"`,
      ),
    ).toBe(`insert into "users" ("id", "email", "n2") values (?, ?, ?, ?, ?, ?, $1) returning "t1"."id"`);
  });
});

describe('tracingWanted', () => {
  it('is on with an OTLP endpoint, off without one, with OTEL_SDK_DISABLED=true or OTEL_TRACES_EXPORTER=none', () => {
    expect(tracingWanted({})).toBe(false);
    expect(tracingWanted({ OTEL_SERVICE_NAME: 'x' })).toBe(false);
    expect(tracingWanted({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).toBe(true);
    expect(tracingWanted({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/v1/traces' })).toBe(true);
    expect(tracingWanted({ OTEL_EXPORTER_OTLP_ENDPOINT: '  ' })).toBe(false);
    expect(tracingWanted({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_SDK_DISABLED: 'TRUE' })).toBe(false);
    expect(tracingWanted({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_SDK_DISABLED: 'false' })).toBe(true);
    expect(tracingWanted({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_TRACES_EXPORTER: 'none' })).toBe(false);
    expect(tracingWanted({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_TRACES_EXPORTER: 'otlp' })).toBe(true);
  });
});

describe('the built server with OTEL_* set', () => {
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let fake: FakePaystack;
  let server: Started | undefined;

  beforeAll(async () => {
    ensureBuilt();
    receiver = await startReceiver();
    fake = await FakePaystack.start();
    fake.accountNames.set('0123456789', 'ADA OBI');
    server = await startServer({
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json',
      OTEL_SERVICE_NAME: 'wallet-api-under-test',
      // Batches leave every 100 ms rather than every 5 s.
      OTEL_BSP_SCHEDULE_DELAY: '100',
      PAYMENT_PROVIDER: 'paystack',
      PAYSTACK_SECRET_KEY: fake.secretKey,
      PAYSTACK_BASE_URL: fake.url,
    });
  }, 60_000);

  afterAll(async () => {
    await stopServer(server);
    await fake?.close();
    await receiver?.close();
  });

  it('exports spans for HTTP, GraphQL, PostgreSQL, Redis and the provider call, with the request id and the user id', async () => {
    const graphqlUrl = `http://127.0.0.1:${server!.port}/graphql`;
    expect(server!.child.logs.some((l) => /OpenTelemetry tracing on: spans to .*\/v1\/traces/.test(String(l.msg)))).toBe(true);

    const signUpId = `otel-signup-${randomUUID()}`;
    const up = await post<{ signUp: { accessToken: string; user: { id: string } } }>(
      graphqlUrl,
      print(SignUpDocument),
      { input: { email: 'traced@example.com', password: 'correct horse battery', fullName: 'Ada Obi' } },
      { 'x-request-id': signUpId },
    );
    const token = up.signUp.accessToken;
    const userId = up.signUp.user.id;

    const requestId = `otel-resolve-${randomUUID()}`;
    const resolved = await post<{ resolveBankAccount: { accountName: string } }>(
      graphqlUrl,
      print(ResolveBankAccountDocument),
      { bankCode: '044', accountNumber: '0123456789' },
      { authorization: `Bearer ${token}`, 'x-request-id': requestId },
    );
    expect(resolved.resolveBankAccount.accountName).toBe('ADA OBI');

    const spans = receiver.spans;
    // The HTTP server span of the signed-in request carries its request id and its user.
    const httpSpan = await until('the HTTP server span of the signed-in request', () =>
      spans.find((s) => s.scope.includes('instrumentation-http') && s.kind === 2 && s.attrs['http.request_id'] === requestId),
    );
    expect(httpSpan.attrs['enduser.id']).toBe(userId);
    expect(httpSpan.resource['service.name']).toBe('wallet-api-under-test');
    const trace = httpSpan.traceId;
    const inTrace = () => spans.filter((s) => s.traceId === trace);

    // The GraphQL operation: named on the request's span, and parsed, validated, executed.
    expect(httpSpan.attrs).toMatchObject({ 'graphql.operation.name': 'ResolveBankAccount', 'graphql.operation.type': 'query' });
    const execute = await until('the graphql execute span', () =>
      inTrace().find((s) => s.scope.includes('instrumentation-graphql') && s.name === 'query ResolveBankAccount'),
    );
    expect(execute.attrs['graphql.operation.name']).toBe('ResolveBankAccount');
    for (const step of ['parse', 'validate']) {
      await until(`the graphql ${step} span`, () => inTrace().find((s) => s.scope.includes('instrumentation-graphql') && s.name.includes(step)));
    }

    // The call to the provider (fetch, through undici) to the fake Paystack.
    const call = await until('the undici span of the provider call', () =>
      inTrace().find((s) => s.scope.includes('instrumentation-undici') && String(s.attrs['url.full'] ?? '').startsWith(fake.url)),
    );
    expect(String(call.attrs['url.full'])).toContain('/bank/resolve');
    // Redis (the rate limit of recipient look-ups, the session check) in the same trace.
    await until('an ioredis span in the request', () => inTrace().find((s) => s.scope.includes('instrumentation-ioredis')));

    // The sign-up wrote to PostgreSQL (through knex and pg) and checked Redis, in its own trace.
    const signUpSpan = await until('the HTTP span of the sign-up', () =>
      spans.find((s) => s.kind === 2 && s.attrs['http.request_id'] === signUpId),
    );
    const statement = (s: ReceivedSpan) => String(s.attrs['db.query.text'] ?? s.attrs['db.statement'] ?? '');
    await until('the pg span of the sign-up inserting the user', () =>
      spans.find(
        (s) =>
          s.traceId === signUpSpan.traceId &&
          s.scope.includes('instrumentation-pg') &&
          (s.attrs['db.system.name'] ?? s.attrs['db.system']) === 'postgresql' &&
          /insert into "users"/i.test(statement(s)),
      ),
    );
    expect(spans.some((s) => s.traceId === signUpSpan.traceId && s.scope.includes('instrumentation-ioredis'))).toBe(true);

    // No secret or personal value in any span: statements are parameterized, Redis spans name the
    // command only, GraphQL documents lose their literal values.
    const everything = JSON.stringify(spans);
    for (const secret of ['correct horse battery', 'traced@example.com', token, token.split('.')[2]]) expect(everything).not.toContain(secret);

    // Probes make no spans.
    await fetch(`http://127.0.0.1:${server!.port}/healthz`);
    expect(spans.some((s) => String(s.attrs['url.path'] ?? s.attrs['http.target'] ?? '').startsWith('/healthz'))).toBe(false);
  }, 60_000);
});

describe('the built server without OTEL_*', () => {
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let dir: string;
  const started: Started[] = [];

  beforeAll(async () => {
    ensureBuilt();
    receiver = await startReceiver();
    dir = await mkdtemp(path.join(os.tmpdir(), 'wallet-otel-off-'));
  });

  afterAll(async () => {
    for (const s of started) await stopServer(s);
    await receiver?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const exercise = async (s: Started) => {
    const graphqlUrl = `http://127.0.0.1:${s.port}/graphql`;
    const up = await post<{ signUp: { accessToken: string } }>(graphqlUrl, print(SignUpDocument), {
      input: { email: `quiet-${randomUUID().slice(0, 8)}@example.com`, password: 'correct horse battery', fullName: 'Q' },
    });
    await post(graphqlUrl, print(MeDocument), {}, { authorization: `Bearer ${up.signUp.accessToken}` });
  };

  it('loads nothing of OpenTelemetry and exports nothing (no OTEL_* at all, and OTEL_SDK_DISABLED=true with an endpoint)', async () => {
    for (const [name, env] of [
      ['none', {}],
      ['disabled', { OTEL_SDK_DISABLED: 'true', OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json' }],
    ] as const) {
      const record = path.join(dir, `${name}.txt`);
      const s = await startServer(env, { preload: await resolveRecorder(dir, record) });
      started.push(s);
      await exercise(s);
      const resolved = await readFile(record, 'utf8');
      // The recorder saw the server's own modules load...
      expect(resolved, name).toContain('/dist/src/app.js');
      expect(resolved, name).toContain('/node_modules/ioredis/');
      // ...and nothing of OpenTelemetry.
      expect(resolved, name).not.toMatch(/@opentelemetry|import-in-the-middle|\/telemetry\/start\.js/);
      expect(s.child.logs.some((l) => /OpenTelemetry/.test(String(l.msg))), name).toBe(false);
    }
    await new Promise((r) => setTimeout(r, 500));
    expect(receiver.posts).toEqual([]);
  }, 90_000);
});
