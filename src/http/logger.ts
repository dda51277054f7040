import { stdSerializers } from 'pino';
import type { Config } from '../config/config.js';

// The logger's options, in a module of their own: the process entry logs before the HTTP
// server's (heavy) modules are loaded.

/** Never logged: credentials and anything that could carry them. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'password',
  'newPassword',
  'currentPassword',
  'refreshToken',
  'accessToken',
  '*.password',
  '*.refreshToken',
  '*.accessToken',
];

export function loggerOptions(config: Config) {
  return {
    level: config.logLevel,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    serializers: { err: (err: unknown) => stdSerializers.err(withoutStatementValues(err) as Error) },
  };
}

/** What a database error may say in the log: its kind and PostgreSQL's fields, never values. */
const DRIVER_FIELDS_KEPT = new Set(['name', 'code', 'sqlState', 'severity', 'constraint', 'table', 'column', 'schema', 'routine']);

/**
 * A database error (MikroORM's DriverException and its kinds) begins its message and stack with
 * the failed statement, values inlined (a sign-up's `password_hash`, an email), and PostgreSQL's
 * `detail` repeats values too. In the log it keeps its kind, PostgreSQL's code and message, and
 * its stack frames. Causes are scrubbed alike: the log shows a refusal's cause.
 */
export function withoutStatementValues(err: unknown, seen = new Set<unknown>()): unknown {
  if (!(err instanceof Error) || seen.has(err)) return err;
  seen.add(err);
  const original = err as Error & { cause?: unknown };
  const cause = withoutStatementValues(original.cause, seen);
  const driver = isDriverError(err);
  if (!driver && cause === original.cause) return err;
  const copy = Object.create(Object.getPrototypeOf(err) as object) as Record<string, unknown>;
  for (const key of Object.getOwnPropertyNames(err)) {
    if (!driver || DRIVER_FIELDS_KEPT.has(key)) copy[key] = (err as unknown as Record<string, unknown>)[key];
  }
  if (driver) {
    const at = err.message.lastIndexOf(' - ');
    copy.message = at >= 0 ? err.message.slice(at + 3) : 'the statement failed';
    const frames = err.stack?.indexOf('\n    at ') ?? -1;
    copy.stack = `${err.name}: ${String(copy.message)}${frames >= 0 ? err.stack!.slice(frames) : ''}`;
  }
  if (cause !== undefined) copy.cause = cause;
  return copy;
}

/**
 * MikroORM's DriverException, or node-pg's own DatabaseError: a prepared statement (src/db/prepared.ts)
 * goes through knex alone, which puts the statement before the message too, and PostgreSQL's
 * `where` shows the SQL function's statement that failed.
 */
const DRIVER_ERRORS = new Set(['DriverException', 'DatabaseError']);

function isDriverError(err: Error): boolean {
  for (let proto = Object.getPrototypeOf(err) as object | null; proto; proto = Object.getPrototypeOf(proto) as object | null) {
    if (DRIVER_ERRORS.has((proto as { constructor?: { name?: string } }).constructor?.name ?? '')) return true;
  }
  return false;
}
