/**
 * Per-user and per-address caps every test server (and the bench's server) starts with, out of
 * the way of suites that make hundreds of movements as one user or open hundreds of sockets from
 * 127.0.0.1. The suites that test the caps set their own. No vitest import: the bench uses it.
 */
export const GENEROUS_LIMITS: Record<string, string> = {
  RATE_LIMIT_MUTATIONS_PER_USER: '1000000',
  RATE_LIMIT_EXPENSIVE_PER_USER: '1000000',
  RATE_LIMIT_RECIPIENT_LOOKUPS_PER_USER: '1000000',
  WS_MAX_CONNECTIONS_PER_IP: '1000000',
  WS_MAX_CONNECTIONS_PER_USER: '1000000',
  WS_MAX_SUBSCRIPTIONS_PER_USER: '1000000',
  WS_MAX_ANONYMOUS_CONNECTIONS_PER_IP: '1000000',
};
