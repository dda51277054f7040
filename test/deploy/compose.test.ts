import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

/**
 * docker-compose.yml (issue 15): two API replicas behind the nginx gateway, secrets only from
 * .env, a health check and a restart policy on every service. Read as YAML (merge keys as
 * compose reads them); `docker-compose config` / `docker compose config` check it too where
 * installed.
 */

const ROOT = path.resolve(import.meta.dirname, '../..');
const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');

interface Service {
  image?: string;
  build?: unknown;
  restart?: string;
  ports?: string[];
  expose?: string[];
  volumes?: string[];
  networks?: string[] | Record<string, unknown>;
  environment?: Record<string, string>;
  env_file?: string | string[];
  command?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test?: string[] | string; disable?: boolean };
}
interface Compose {
  services: Record<string, Service>;
  networks: Record<string, { internal?: boolean; ipam?: { config: { subnet: string }[] } }>;
}

const compose = parse(read('docker-compose.yml'), { merge: true }) as Compose;
const services = compose.services;
const API = ['api-1', 'api-2'];
/** The example env file, as KEY=value pairs (comments and blank lines left out). */
const exampleEnv = new Map(
  read('deploy/compose.env.example')
    .split('\n')
    .filter((line) => /^[A-Z_]+=/.test(line))
    .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)] as const),
);

/** Every string in a parsed YAML value, with its path. */
function strings(value: unknown, at = ''): { at: string; text: string }[] {
  if (typeof value === 'string') return [{ at, text: value }];
  if (Array.isArray(value)) return value.flatMap((v, i) => strings(v, `${at}[${i}]`));
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => strings(v, at ? `${at}.${k}` : k));
  return [];
}

describe('docker-compose.yml', () => {
  it('has PostgreSQL, Redis, two API replicas of one image and the nginx gateway', () => {
    expect(Object.keys(services).sort()).toEqual(['api-1', 'api-2', 'nginx', 'postgres', 'redis']);
    expect(services['api-1'].image).toBeTruthy();
    expect(services['api-2'].image).toBe(services['api-1'].image);
    for (const name of API) expect(services[name].build, name).toBeDefined();
  });

  it('gives every service a health check and restarts it unless stopped', () => {
    for (const [name, service] of Object.entries(services)) {
      expect(service.restart, name).toBe('unless-stopped');
      expect(service.healthcheck?.disable, name).not.toBe(true);
      expect(service.healthcheck?.test, name).toBeTruthy();
      expect([service.healthcheck!.test].flat().join(' '), name).not.toMatch(/^NONE/);
    }
    // The replicas are ready only once PostgreSQL is reachable and migrated.
    for (const name of API) expect([services[name].healthcheck!.test!].flat().join(' ')).toContain('/readyz');
  });

  it('holds no password or secret: they come from .env, which is never committed', () => {
    for (const { at, text } of strings(compose)) {
      // A URL's password, if any, is a ${...} substitution (each one read here as SUBST).
      for (const [, password] of text.replace(/\$\{[^}]*\}/g, 'SUBST').matchAll(/[a-z]+:\/\/[^\s/@:]*:([^\s/@]*)@/g)) {
        expect(password, at).toBe('SUBST');
      }
    }
    expect(services['api-1'].environment?.DATABASE_URL).toMatch(/^postgres:\/\/\$\{POSTGRES_USER:-\w+\}:\$\{POSTGRES_PASSWORD:\?[^}]+\}@/);
    for (const [name, service] of Object.entries(services)) {
      for (const [key, value] of Object.entries(service.environment ?? {})) {
        if (/PASSWORD|SECRET|TOKEN|PRIVATE_KEY/.test(key)) expect(String(value), `${name}.${key}`).toMatch(/^\$\{[A-Z_]+:\?[^}]+\}$/);
      }
    }
    expect(services.postgres.environment?.POSTGRES_PASSWORD).toMatch(/^\$\{POSTGRES_PASSWORD:\?/);
    for (const name of API) expect([services[name].env_file].flat()).toContain('.env');
    // The committed example has the keys, not the values.
    for (const key of ['POSTGRES_PASSWORD', 'JWT_PRIVATE_KEY', 'JWT_PUBLIC_KEY', 'CURSOR_SECRET']) {
      expect(exampleEnv.get(key), key).toBe('');
    }
    expect(read('.gitignore').split('\n')).toContain('.env');
    expect(read('.dockerignore').split('\n')).toContain('.env');
  });

  it('lets clients in only through nginx, which runs deploy/nginx.conf', () => {
    for (const name of API) expect(services[name].ports, name).toBeUndefined();
    for (const name of ['postgres', 'redis']) expect(services[name].ports, name).toBeUndefined();
    expect(services.nginx.ports).toHaveLength(1);
    expect(services.nginx.ports![0]).toMatch(/:80$/);
    expect(services.nginx.image).toMatch(/^nginx:1\.27/);
    expect(services.nginx.volumes).toContain('./deploy/nginx.conf:/etc/nginx/nginx.conf:ro');
    // The gateway's upstreams are these services, on the port they listen on.
    const conf = read('deploy/nginx.conf');
    for (const name of API) {
      expect(conf).toMatch(new RegExp(`server ${name}:4000\\b`));
      expect(services[name].environment?.PORT).toBe('4000');
    }
    expect(Object.keys(services.nginx.depends_on ?? {}).sort()).toEqual(API);
  });

  it('trusts X-Forwarded-For only from the gateway network, and keeps PostgreSQL and Redis off it', () => {
    const edge = compose.networks.edge;
    const subnet = edge.ipam!.config[0].subnet;
    for (const name of API) {
      expect(services[name].environment?.TRUST_PROXY).toBe(subnet);
      expect(services[name].networks).toEqual(expect.arrayContaining(['edge', 'data']));
    }
    expect(services.nginx.networks).toEqual(['edge']);
    expect(compose.networks.data.internal).toBe(true);
    for (const name of ['postgres', 'redis']) expect(services[name].networks, name).toEqual(['data']);
    expect(exampleEnv.has('CORS_ORIGINS')).toBe(true);
    expect(exampleEnv.get('PUBLIC_URL')).toBe(`http://localhost:${exampleEnv.get('GATEWAY_PORT')}`);
  });

  it('runs Redis with noeviction and the replicas on real PostgreSQL and Redis', () => {
    const command = services.redis.command!;
    expect(command[command.indexOf('--maxmemory-policy') + 1]).toBe('noeviction');
    for (const name of API) {
      expect(services[name].environment?.DATABASE_URL).toMatch(/^postgres:\/\/.*@postgres:5432\//);
      expect(services[name].environment?.REDIS_URL).toBe('redis://redis:6379');
    }
    expect(services.postgres.image).toBe('postgres:15');
    expect(services.redis.image).toBe('redis:7');
  });

  // Installed on the project's machines only by hand (apt-get install docker-compose): skipped
  // where neither the v1 binary nor the compose plugin is there.
  const binaries = [
    ['docker-compose', []],
    ['docker', ['compose']],
  ] as const;
  const available = binaries.filter(([bin, args]) => spawnSync(bin, [...args, 'version'], { stdio: 'ignore' }).status === 0);
  it.skipIf(available.length === 0)('passes `docker-compose config -q` with the example env file as .env', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'wallet-compose-'));
    try {
      mkdirSync(path.join(dir, 'deploy'));
      cpSync(path.join(ROOT, 'docker-compose.yml'), path.join(dir, 'docker-compose.yml'));
      cpSync(path.join(ROOT, 'deploy/nginx.conf'), path.join(dir, 'deploy/nginx.conf'));
      const env = read('deploy/compose.env.example');
      // Without POSTGRES_PASSWORD compose refuses to run at all.
      writeFileSync(path.join(dir, '.env'), env);
      for (const [bin, args] of available) {
        const refused = spawnSync(bin, [...args, 'config', '-q'], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
        expect(refused.status, `${bin} ${args.join(' ')}`).not.toBe(0);
        expect(refused.stderr).toMatch(/POSTGRES_PASSWORD/);
      }
      writeFileSync(path.join(dir, '.env'), env.replace(/^POSTGRES_PASSWORD=$/m, 'POSTGRES_PASSWORD=0123456789abcdef'));
      for (const [bin, args] of available) {
        execFileSync(bin, [...args, 'config', '-q'], { cwd: dir, encoding: 'utf8', timeout: 60_000, stdio: 'pipe' });
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
