/** What a graphql-ws `connection_init` carries as credentials. */
export type WsCredentials = { kind: 'none' } | { kind: 'token'; authorization: string } | { kind: 'invalid'; reason: string };

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The values of `object`'s keys that are `name` in any letter case. */
function valuesNamed(object: Record<string, unknown>, name: string): unknown[] {
  return Object.keys(object)
    .filter((key) => key.toLowerCase() === name)
    .map((key) => object[key]);
}

/**
 * Reads the credentials of a `connection_init` payload as clients send them: `authorization`
 * in any letter case (`Authorization` from Apollo Sandbox and most HTTP-minded clients), at the
 * top level or inside a `headers` object (`{ headers: { Authorization } }`, as some clients nest
 * it). An empty or null value is no credential (a blank header row). Anything else that is not
 * a string, or two different values, is a credential that cannot be believed: `invalid`, so
 * the connection is refused rather than silently served anonymously.
 */
export function credentialsOf(params: unknown): WsCredentials {
  if (!isRecord(params)) return { kind: 'none' };
  const candidates = [
    ...valuesNamed(params, 'authorization'),
    ...valuesNamed(params, 'headers')
      .filter(isRecord)
      .flatMap((headers) => valuesNamed(headers, 'authorization')),
  ];
  const given = new Set<string>();
  for (const value of candidates) {
    if (value === null || value === undefined) continue;
    if (typeof value !== 'string') return { kind: 'invalid', reason: 'the authorization must be a string ("Bearer <token>")' };
    if (value.trim() !== '') given.add(value.trim());
  }
  if (given.size > 1) return { kind: 'invalid', reason: 'two different authorizations were sent' };
  const [authorization] = given;
  return authorization === undefined ? { kind: 'none' } : { kind: 'token', authorization };
}
