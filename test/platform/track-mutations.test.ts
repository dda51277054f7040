import { parse, type GraphQLResolveInfo } from 'graphql';
import { describe, expect, it } from 'vitest';
import { buildApiSchema } from '../../src/schema/build-schema.js';
import type { Services } from '../../src/schema/services.js';

/**
 * Every mutation runs inside `services.track` (src/schema/track-mutations.ts), so the caches it
 * changed are forgotten and its events sent before its answer; no resolver calls it by hand.
 * Here each field of the Mutation type is resolved with services that record what is called:
 * `track` must come first and wrap everything the resolver does. (What tracking achieves, fresh
 * balances and events right after a mutation, the wallet, cache and live suites show through the
 * API.)
 */
describe('every mutation is tracked', () => {
  it('calls track first, runs the whole resolver inside it, and passes its failure on', async () => {
    const calls: string[] = [];
    let inside = false;
    const service = new Proxy(
      {},
      {
        get: (_, method) => () => {
          calls.push(`${String(method)}${inside ? ' (inside track)' : ''}`);
          throw new Error('a refusal');
        },
      },
    );
    const services = new Proxy({} as Services, {
      get: (_, name) =>
        name === 'track'
          ? async (work: () => Promise<unknown>) => {
              calls.push('track');
              inside = true;
              try {
                return await work();
              } finally {
                inside = false;
              }
            }
          : service,
    });
    const schema = await buildApiSchema(services);
    const fields = Object.entries(schema.getMutationType()!.getFields());
    expect(fields.length).toBeGreaterThan(15);
    // A signed-in viewer, so resolvers reach their services instead of stopping at the auth check.
    const context = {
      viewer: { userId: '00000000-0000-4000-8000-000000000001', sessionId: 's' },
      client: { ip: '127.0.0.1' },
      loaders: new Proxy({}, { get: () => ({ load: async () => ({ id: 'u', role: 'ADMIN', email: 'a@example.com' }) }) }),
      em: {},
    };
    for (const [name, field] of fields) {
      calls.length = 0;
      const info = {
        fieldName: name,
        parentType: schema.getMutationType(),
        operation: parse('mutation { x }').definitions[0],
      } as unknown as GraphQLResolveInfo;
      const args = Object.fromEntries(field.args.map((a) => [a.name, {}]));
      await expect(
        Promise.resolve().then(() => field.resolve!({}, args, context, info)),
        name,
      ).rejects.toThrow();
      expect(calls[0], name).toBe('track');
      // The resolver reached its service, inside track.
      expect(calls.length, `${name}: ${calls.join(', ')}`).toBeGreaterThan(1);
      expect(
        calls.slice(1).every((c) => c.endsWith('(inside track)')),
        `${name}: ${calls.join(', ')}`,
      ).toBe(true);
    }
  });
});
