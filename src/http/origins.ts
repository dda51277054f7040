import type { Config } from '../config/config.js';

/**
 * Which browser origins may call the API, over HTTP (CORS) and WebSocket alike: the origins in
 * CORS_ORIGINS and the server's own PUBLIC_URL; outside production also any port on the
 * loopback hosts (dev servers such as Vite on :5173) and Apollo's hosted Sandbox/Studio, whose
 * embedded Sandbox sends its requests from an iframe on sandbox.embed.apollographql.com.
 */
export interface OriginRule {
  allows(origin: string): boolean;
  /** The answer's body for a refused origin: says what to set. */
  refusal(origin: string): { statusCode: 403; error: 'Forbidden'; code: 'ORIGIN_NOT_ALLOWED'; message: string };
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);
const APOLLO_ORIGINS = ['https://sandbox.embed.apollographql.com', 'https://studio.apollographql.com'];

/** The headers browser clients send (Apollo Client, Sandbox, GraphiQL, graphql-request). */
export const CORS_ALLOWED_HEADERS = [
  'content-type',
  'authorization',
  'apollo-require-preflight',
  'x-apollo-operation-name',
  'x-request-id',
  'apollographql-client-name',
  'apollographql-client-version',
];
export const CORS_EXPOSED_HEADERS = ['x-request-id'];

export function originRule(config: Pick<Config, 'isProduction' | 'http'>): OriginRule {
  const listed = new Set<string>([...config.http.corsOrigins, new URL(config.http.publicUrl).origin]);
  if (!config.isProduction) for (const origin of APOLLO_ORIGINS) listed.add(origin);
  const isLoopback = (origin: string): boolean => {
    if (!URL.canParse(origin)) return false;
    const url = new URL(origin);
    // Only a bare origin: "http://localhost:5173", never "http://localhost.evil.example".
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.origin === origin && LOOPBACK_HOSTS.has(url.hostname);
  };
  return {
    allows: (origin) => listed.has(origin) || (!config.isProduction && isLoopback(origin)),
    refusal: (origin) => ({
      statusCode: 403,
      error: 'Forbidden',
      code: 'ORIGIN_NOT_ALLOWED',
      message:
        `Origin ${JSON.stringify(origin)} is not allowed to call this API. ` +
        `Add it to CORS_ORIGINS (comma-separated origins, e.g. CORS_ORIGINS=https://app.example.com,http://localhost:5173)` +
        (config.isProduction ? '.' : '; outside production http://localhost:<port> and http://127.0.0.1:<port> are allowed already.'),
    }),
  };
}
