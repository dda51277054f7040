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
  return { level: config.logLevel, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } };
}
