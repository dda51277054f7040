import { DirectiveLocation, GraphQLBoolean, GraphQLDirective, GraphQLEnumType, GraphQLInt } from 'graphql';

/** Apollo's @cacheControl, declared so types and fields can carry their cache hints. */
export const CacheControlScope = new GraphQLEnumType({
  name: 'CacheControlScope',
  description: 'Who may share a cached answer.',
  values: {
    PUBLIC: {
      value: 'PUBLIC',
      description: 'Anyone: the same answer for everyone (anonymous requests only; signed-in answers stay per user).',
    },
    PRIVATE: { value: 'PRIVATE', description: 'Only the signed-in user it was answered for; never cached for anonymous requests.' },
  },
});

export const cacheControlDirective = new GraphQLDirective({
  name: 'cacheControl',
  description: "Apollo Server's cache hint on a type or field: how long its answer may be cached, and by whom.",
  locations: [DirectiveLocation.FIELD_DEFINITION, DirectiveLocation.OBJECT, DirectiveLocation.INTERFACE, DirectiveLocation.UNION],
  args: {
    maxAge: {
      type: GraphQLInt,
      description: 'Seconds the answer may be cached; 0 means not at all. Without a hint the server allows 30 s.',
    },
    scope: { type: CacheControlScope, description: 'PRIVATE keeps the answer per user; PUBLIC (the default) lets it be shared.' },
    inheritMaxAge: {
      type: GraphQLBoolean,
      description: "Take the parent field's maxAge instead of the default; do not combine with maxAge.",
    },
  },
});
