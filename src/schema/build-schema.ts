import { GraphQLSchema, lexicographicSortSchema, printSchema, specifiedDirectives } from 'graphql';
import { buildSchema, type AuthChecker } from 'type-graphql';
import { AuthError, AuthException } from '../domain/auth/auth.errors.js';
import type { Role } from '../domain/users/user.entity.js';
import { TransactionResolver } from '../resolvers/transaction.resolver.js';
import { PaymentResolver } from '../resolvers/payment.resolver.js';
import { CardResolver, TransactionCardResolver, UserCardsResolver } from '../resolvers/card.resolver.js';
import { SubscriptionResolver } from '../resolvers/subscription.resolver.js';
import { UserWalletsResolver, WalletResolver } from '../resolvers/wallet.resolver.js';
import { AccountResolver } from '../resolvers/account.resolver.js';
import { AuthResolver } from '../resolvers/auth.resolver.js';
import { CurrencyResolver } from '../resolvers/currency.resolver.js';
import { UserResolver } from '../resolvers/user.resolver.js';
import { payloadViewerResolvers } from '../resolvers/payload-viewer.resolver.js';
import type { GraphQLContext } from './context.js';
import type { Services } from './services.js';
import { refuseUnstorableText } from './nul-characters.js';
import { trackMutations } from './track-mutations.js';
import { limitPerUser } from './user-limits.js';

export type { Services } from './services.js';
import { DateTimeScalar } from './scalars/date-time.scalar.js';
import { cacheControlDirective } from './cache-control.js';
import { ErrorCodeType } from './error-code.type.js';
import { MinorUnitsScalar } from './scalars/minor-units.scalar.js';

const resolvers = [
  AuthResolver,
  AccountResolver,
  UserResolver,
  CurrencyResolver,
  WalletResolver,
  UserWalletsResolver,
  TransactionResolver,
  PaymentResolver,
  CardResolver,
  UserCardsResolver,
  TransactionCardResolver,
  SubscriptionResolver,
  ...payloadViewerResolvers,
] as const;

/** Roles are read from the database, so a role change takes effect on the next request. */
const authChecker: AuthChecker<GraphQLContext, Role> = async ({ context }, roles) => {
  if (!context.viewer) throw new AuthException(AuthError.NotAuthenticated);
  const user = await context.loaders.user.load(context.viewer.userId);
  if (!user || (roles.length > 0 && !roles.includes(user.role))) throw new AuthException(AuthError.NotAllowed);
  return true;
};

export async function buildApiSchema(services?: Services): Promise<GraphQLSchema> {
  const instances = new Map<unknown, unknown>(
    services
      ? [
          [AuthResolver, new AuthResolver(services.auth)],
          [AccountResolver, new AccountResolver(services.accounts, services)],
          [UserResolver, new UserResolver(services.users)],
          [CurrencyResolver, new CurrencyResolver(services.currencies)],
          [WalletResolver, new WalletResolver(services)],
          [UserWalletsResolver, new UserWalletsResolver(services)],
          [TransactionResolver, new TransactionResolver(services)],
          [PaymentResolver, new PaymentResolver(services)],
          [CardResolver, new CardResolver(services)],
          [UserCardsResolver, new UserCardsResolver(services)],
          [TransactionCardResolver, new TransactionCardResolver(services)],
          [SubscriptionResolver, new SubscriptionResolver(services)],
          ...payloadViewerResolvers.map((R) => [R, new R()] as const),
        ]
      : [],
  );
  const schema = await buildSchema({
    resolvers,
    authChecker,
    validate: false,
    // type-graphql replaces the directive list it is given: keep graphql-js's own (@include,
    // @skip, @deprecated, @specifiedBy, @oneOf), which every client relies on.
    directives: [...specifiedDirectives, cacheControlDirective],
    scalarsMap: [
      { type: Date, scalar: DateTimeScalar },
      { type: BigInt, scalar: MinorUnitsScalar },
    ],
    // Every subscription brings its own `subscribe` (per-user channels of the EventBus); this
    // pub/sub only satisfies type-graphql and refuses to be used.
    pubSub: {
      publish: () => {
        throw new Error('publish through services.events');
      },
      subscribe: () => {
        throw new Error('subscriptions subscribe through services.events');
      },
    },
    container: {
      get: (cls) => {
        const instance = instances.get(cls);
        if (!instance) throw new Error(`No resolver instance for ${String((cls as { name?: string }).name)}`);
        return instance;
      },
    },
  });
  describeRootTypes(schema);
  // No field returns ErrorCode, so it is added by hand: clients' generated types then know every code.
  const config = schema.toConfig();
  const api = new GraphQLSchema({ ...config, types: [...config.types, ErrorCodeType] });
  // Inside tracking (a refused mutation is tracked work that moved nothing), before the resolver.
  if (services) limitPerUser(api, services.userLimits);
  if (services) trackMutations(api, (work) => services.track(work));
  refuseUnstorableText(api);
  return api;
}

/** type-graphql builds Query, Mutation and Subscription itself and takes no description for them. */
function describeRootTypes(schema: GraphQLSchema): void {
  const query = schema.getQueryType();
  const mutation = schema.getMutationType();
  const subscription = schema.getSubscriptionType();
  if (query) {
    query.description =
      "What can be read. Without a valid access token me is null and the viewer's data is UNAUTHENTICATED; currencies and banks are public.";
  }
  if (mutation) {
    mutation.description =
      'Every mutation takes one input object and returns its own payload type. Those that move money take an idempotencyKey, so a retry never moves it twice.';
  }
  if (subscription) {
    subscription.description =
      'Events are sent after commit, at most once: a client that reconnects, or sees a version gap, catches up by querying.';
  }
}

/** The SDL committed as schema.graphql. */
export function printApiSchema(schema: GraphQLSchema): string {
  return `${printSchema(lexicographicSortSchema(schema))}\n`;
}
