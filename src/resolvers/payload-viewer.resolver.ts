import { Ctx, FieldResolver, Resolver, type ClassType } from 'type-graphql';
import { CardMoneyPayload, CardPayload, CreateCardPayload, SimulateCardPurchasePayload } from '../schema/card.type.js';
import type { GraphQLContext } from '../schema/context.js';
import { DepositPayload, WithdrawPayload } from '../schema/payment.type.js';
import { TransferPayload } from '../schema/transfer.type.js';
import { UserType } from '../schema/user.type.js';
import { CreateWalletPayload } from '../schema/wallet.type.js';
import { viewerUser } from './viewer.js';

/**
 * `viewer: User` on the payloads of mutations that change what `me` lists (wallets, cards,
 * balances), so a normalized client cache updates `me.wallets` / `me.cards` from the answer
 * without a refetch. Resolved only when selected.
 */
function viewerFieldOn(payload: ClassType): ClassType {
  @Resolver(() => payload)
  class PayloadViewerResolver {
    @FieldResolver(() => UserType, {
      nullable: true,
      description: 'The signed-in user after this mutation: select `wallets` or `cards` here to refresh them in a client cache.',
    })
    viewer(@Ctx() ctx: GraphQLContext): Promise<UserType | null> {
      return viewerUser(ctx);
    }
  }
  Object.defineProperty(PayloadViewerResolver, 'name', { value: `${payload.name}ViewerResolver` });
  return PayloadViewerResolver;
}

export const payloadViewerResolvers = [
  CreateWalletPayload,
  CreateCardPayload,
  DepositPayload,
  WithdrawPayload,
  TransferPayload,
  CardMoneyPayload,
  CardPayload,
  SimulateCardPurchasePayload,
].map(viewerFieldOn);
