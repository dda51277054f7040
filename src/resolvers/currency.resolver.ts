import { Ctx, Query, Resolver } from 'type-graphql';
import type { CurrencyService } from '../domain/currencies/currency.service.js';
import type { GraphQLContext } from '../schema/context.js';
import { CurrencyInfoType } from '../schema/currency.type.js';

@Resolver()
export class CurrencyResolver {
  constructor(private readonly currencyService: CurrencyService) {}

  @Query(() => [CurrencyInfoType], {
    description: 'Every currency a wallet can hold, with its name, symbol and exponent. Public and cacheable.',
  })
  async currencies(@Ctx() ctx: GraphQLContext): Promise<CurrencyInfoType[]> {
    return (await this.currencyService.list(ctx.em)).map((c) => CurrencyInfoType.from(c));
  }
}
