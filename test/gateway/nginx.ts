import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { ROOT } from '../process/child.js';

/**
 * deploy/nginx.conf run on loopback: the file itself, with only the lines it marks `# test: ...`
 * replaced (listen, pid, the two upstream servers) and temp folders of the test's own.
 */

export const NGINX = '/usr/sbin/nginx';
export const NGINX_CONF = path.join(ROOT, 'deploy/nginx.conf');

/** Debian's nginx, installed with apt-get when missing (apt-get update first if that fails). */
export function ensureNginx(): void {
  if (existsSync(NGINX)) return;
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const install = () => execFileSync('apt-get', ['install', '-y', '-qq', 'nginx'], { env, stdio: 'pipe', timeout: 150_000 });
  try {
    install();
  } catch {
    execFileSync('apt-get', ['update', '-qq'], { env, stdio: 'pipe', timeout: 150_000 });
    install();
  }
  if (!existsSync(NGINX)) throw new Error(`${NGINX} still missing after apt-get install nginx`);
}

export function nginxVersion(): string {
  // nginx -v writes to stderr.
  return spawnSync(NGINX, ['-v'], { encoding: 'utf8' }).stderr.trim();
}

/** Replaces exactly one match of `pattern`, or fails: the conf's marked lines must stay findable. */
function replaceOnce(text: string, pattern: RegExp, replacement: string, what: string): string {
  const matches = text.match(new RegExp(pattern.source, pattern.flags.includes('g') ? pattern.flags : `${pattern.flags}g`));
  if (matches?.length !== 1) {
    throw new Error(`deploy/nginx.conf: expected exactly one ${what} line (${pattern}), found ${matches?.length ?? 0}`);
  }
  return text.replace(pattern, replacement);
}

export interface RenderOptions {
  /** `127.0.0.1:PORT` */
  listen: string;
  upstreams: [string, string];
  prefix: string;
}

/** deploy/nginx.conf as the test runs it. */
export function renderConf(source: string, o: RenderOptions): string {
  let conf = source;
  conf = replaceOnce(conf, /^pid .*# test: pid$/m, `pid ${path.join(o.prefix, 'nginx.pid')};`, 'pid');
  conf = replaceOnce(conf, /^(\s*)listen 80; # test: listen$/m, `$1listen ${o.listen};`, 'listen');
  conf = replaceOnce(conf, /^(\s*)server api-1:4000( [^#\n]*;) # test: api-1$/m, `$1server ${o.upstreams[0]}$2`, 'upstream api-1');
  conf = replaceOnce(conf, /^(\s*)server api-2:4000( [^#\n]*;) # test: api-2$/m, `$1server ${o.upstreams[1]}$2`, 'upstream api-2');
  const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']
    .map((kind) => `    ${kind}_temp_path ${path.join(o.prefix, 'temp', kind)};`)
    .join('\n');
  conf = replaceOnce(conf, /^http \{$/m, `http {\n${temp}`, 'http {');
  // As root, workers would run as `nobody`, who cannot use the test's private temp folders.
  if (process.getuid?.() === 0) conf = `user root;\n${conf}`;
  return conf;
}

export interface AccessLine {
  remote_addr: string;
  request_id: string;
  method: string;
  uri: string;
  status: number;
  upstream: string;
  upstream_status: string;
}

export interface Nginx {
  url: string;
  port: number;
  process: ChildProcess;
  /** The access log lines so far. */
  access(): AccessLine[];
  stderr(): string;
  stop(): Promise<void>;
}

export async function startNginx(prefix: string, port: number, upstreams: [string, string]): Promise<Nginx> {
  await mkdir(path.join(prefix, 'temp'), { recursive: true });
  const confPath = path.join(prefix, 'nginx.conf');
  await writeFile(confPath, renderConf(await readFile(NGINX_CONF, 'utf8'), { listen: `127.0.0.1:${port}`, upstreams, prefix }));
  // The conf logs to /dev/stdout, which nginx opens by name: that fails (ENXIO) on the socket
  // Node gives a child for 'pipe', so stdout is a file here.
  const accessLog = path.join(prefix, 'access.log');
  const stdout = openSync(accessLog, 'a');
  let child: ChildProcess;
  try {
    execFileSync(NGINX, ['-t', '-q', '-p', `${prefix}/`, '-c', confPath], { stdio: ['ignore', stdout, 'pipe'] });
    child = spawn(NGINX, ['-p', `${prefix}/`, '-c', confPath, '-g', 'daemon off;'], { stdio: ['ignore', stdout, 'pipe'] });
  } finally {
    closeSync(stdout);
  }
  const access = () =>
    readFileSync(accessLog, 'utf8')
      .split('\n')
      .filter((line) => line.trim())
      .map((line) => JSON.parse(line) as AccessLine);
  let err = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  let exited = false;
  const exit = new Promise<void>((resolve) =>
    child.once('exit', () => {
      exited = true;
      resolve();
    }),
  );
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (exited) throw new Error(`nginx exited at start:\n${err}`);
    try {
      if ((await request(`${url}/healthz`)).status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`nginx did not answer /healthz within 15 s:\n${err}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    port,
    process: child,
    access,
    stderr: () => err,
    async stop() {
      if (exited) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exit;
      clearTimeout(timer);
    },
  };
}

export interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/**
 * One HTTP request on a connection of its own, optionally from a given local address
 * (127.0.0.2...: all of 127/8 is loopback), so nginx's $remote_addr is what the test chose.
 */
export function request(
  url: string,
  o: { method?: string; headers?: Record<string, string>; body?: string | Buffer; localAddress?: string; timeoutMs?: number } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    let answered = false;
    const req = http.request(
      url,
      { method: o.method ?? 'GET', headers: o.headers, localAddress: o.localAddress, agent: false, timeout: o.timeoutMs ?? 15_000 },
      (res) => {
        answered = true;
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
        res.on('error', reject);
      },
    );
    // nginx may answer (413) and close before the whole body is written: the answer counts.
    req.on('error', (e) => {
      if (!answered) reject(e);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer from ${url} in time`)));
    req.end(o.body);
  });
}

/** A GraphQL POST as a client sends it. */
export function post(url: string, body: unknown, o: { token?: string; headers?: Record<string, string>; localAddress?: string } = {}) {
  return request(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(o.token ? { authorization: `Bearer ${o.token}` } : {}),
      ...o.headers,
    },
    body: JSON.stringify(body),
    localAddress: o.localAddress,
  });
}
