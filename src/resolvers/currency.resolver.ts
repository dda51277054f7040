import { Query, Resolver } from 'type-graphql';
import type { CurrencyService } from '../domain/currencies/currency.service.js';
import { CurrencyInfoType } from '../schema/currency.type.js';

@Resolver()
export class CurrencyResolver {
  constructor(private readonly currencyService: CurrencyService) {}

  @Query(() => [CurrencyInfoType], {
    description: 'Every currency a wallet can hold, with its name, symbol and exponent. Public and cacheable.',
  })
  currencies(): CurrencyInfoType[] {
    return this.currencyService.list().map((c) => CurrencyInfoType.from(c));
  }
}
