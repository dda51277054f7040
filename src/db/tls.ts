import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';

/** libpq's sslmode values (https://www.postgresql.org/docs/current/libpq-ssl.html). */
export const SSL_MODES = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'] as const;
export type SslMode = (typeof SSL_MODES)[number];

/** node-postgres's `ssl` option: `false` for plaintext, otherwise the options of `tls.connect`. */
export type PostgresSsl = false | ConnectionOptions;

/** Connection-string parameters about TLS that are not read here (only `sslmode` is). */
const UNSUPPORTED_PARAMS = /^(ssl(?!mode$).*|uselibpqcompat)$/i;

function sslModeOf(url: URL): SslMode | undefined {
  const raw = url.searchParams.get('sslmode');
  if (raw === null || raw === '') return undefined;
  if (!(SSL_MODES as readonly string[]).includes(raw)) {
    const hint = raw === 'no-verify' ? ' (for TLS without a certificate check, use sslmode=require)' : '';
    throw new Error(`DATABASE_URL: unknown sslmode "${raw}"${hint}; use one of ${SSL_MODES.join(', ')}`);
  }
  return raw as SslMode;
}

/**
 * THE one place that decides how PostgreSQL connections use TLS: every connection (the
 * MikroORM pool, the migration lock client, the CLI) gets its `ssl` option from here.
 * It follows libpq's meaning of `sslmode` in the URL:
 *
 * - `disable`: plaintext.
 * - `allow`, `prefer`, no sslmode: plaintext too. libpq would try TLS first and fall back,
 *   which node-postgres cannot do; the pool has always been plaintext then. PGSSLMODE
 *   is not read (node-postgres reads it only when `ssl` is not given): DATABASE_URL decides.
 * - `require`: TLS without checking the certificate; with `sslCa` (DATABASE_SSL_CA) the
 *   certificate must be signed by that CA (as libpq does when a root certificate exists).
 * - `verify-ca`: TLS, the certificate signed by `sslCa` (or a CA of Node's default store),
 *   the host name not checked.
 * - `verify-full`: as verify-ca, and the certificate must name the host of the URL.
 *
 * Throws (at start-up) on an unknown sslmode, on TLS parameters of the URL it does not read
 * (sslrootcert, sslcert...: the CA is given with DATABASE_SSL_CA), on `sslCa` without a TLS
 * sslmode (a CA given for plaintext connections is a mistake, not a choice), and on an
 * unreadable `sslCa` file.
 */
export function postgresSsl(url: string, sslCa?: string): PostgresSsl {
  const parsed = new URL(url);
  const unsupported = [...parsed.searchParams.keys()].filter((key) => UNSUPPORTED_PARAMS.test(key));
  if (unsupported.length > 0) {
    throw new Error(
      `DATABASE_URL: ${unsupported.join(', ')} not supported; only sslmode is read from the URL (give the CA's PEM file with DATABASE_SSL_CA)`,
    );
  }
  const mode = sslModeOf(parsed);
  const tls = mode === 'require' || mode === 'verify-ca' || mode === 'verify-full';
  if (!tls) {
    if (sslCa) {
      throw new Error(
        `DATABASE_SSL_CA is set but DATABASE_URL's sslmode (${mode ?? 'not set'}) makes plaintext connections: add sslmode=verify-full (or verify-ca, require) to DATABASE_URL, or unset DATABASE_SSL_CA`,
      );
    }
    return false;
  }
  let ca: string | undefined;
  if (sslCa) {
    try {
      ca = readFileSync(sslCa, 'utf8');
    } catch (err) {
      throw new Error(`DATABASE_SSL_CA: cannot read ${sslCa}: ${(err as Error).message}`, { cause: err });
    }
    if (!ca.includes('-----BEGIN CERTIFICATE-----')) throw new Error(`DATABASE_SSL_CA: ${sslCa} holds no PEM certificate`);
  }
  // Node checks the chain (rejectUnauthorized defaults to true) and, through
  // checkServerIdentity, the host name; node-postgres passes the URL's host as servername.
  if (mode === 'require' && !ca) return { rejectUnauthorized: false };
  const options: ConnectionOptions = ca ? { ca } : {};
  if (mode !== 'verify-full') options.checkServerIdentity = () => undefined;
  return options;
}

/**
 * The URL without `sslmode`, for clients given a `connectionString` beside an explicit `ssl`:
 * node-postgres lets what it parses from the string (`sslmode=require` becomes `ssl: {}`,
 * that is verify-full) override the explicit option.
 */
export function withoutSslMode(url: string): string {
  const parsed = new URL(url);
  if (!parsed.searchParams.has('sslmode')) return url;
  parsed.searchParams.delete('sslmode');
  return parsed.toString();
}
