import { Field, ObjectType } from 'type-graphql';
import { CurrencyCode, formatMoney, type CurrencyInfo } from '../domain/currencies/currency.service.js';
import { MinorUnitsScalar } from './scalars/minor-units.scalar.js';

@ObjectType('Money', { description: 'An amount of one currency.' })
export class MoneyType {
  @Field(() => MinorUnitsScalar, { description: 'Minor units of the currency (kobo, cents), as a string of digits.' })
  amount!: bigint;

  @Field(() => CurrencyCode, { description: 'The currency of the amount.' })
  currency!: CurrencyCode;

  @Field(() => String, { description: 'For people, e.g. "NGN 1,500.00".' })
  formatted!: string;

  static of(amount: bigint, currency: CurrencyInfo): MoneyType {
    return Object.assign(new MoneyType(), {
      amount,
      currency: currency.code,
      formatted: formatMoney(amount, currency),
    });
  }
}
