import { defaultFieldResolver, type GraphQLSchema } from 'graphql';
import type { Services } from './services.js';

/**
 * Every mutation runs as tracked work (`services.track`): once it has committed, the cached
 * balances and history pages it changed are forgotten and its events sent, before its payload's
 * fields are resolved and the answer goes out. Wrapped here, once, for every field of the
 * Mutation type, so a new mutation cannot forget it; queries and subscriptions pay nothing.
 *
 * The whole resolver is the tracked work: a resolver that fails after its service committed
 * (reading the payload back, say) still makes the caches forget, but sends no event, as for any
 * failed work; events are at most once and a client catches up from `version` (docs/frontend.md).
 */
export function trackMutations(schema: GraphQLSchema, track: Services['track']): void {
  const mutation = schema.getMutationType();
  if (!mutation) return;
  for (const field of Object.values(mutation.getFields())) {
    const resolve = field.resolve ?? defaultFieldResolver;
    field.resolve = (source, args, context, info) => track(async () => resolve(source, args, context, info));
  }
}
