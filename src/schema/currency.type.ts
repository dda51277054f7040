import { Directive, Field, Int, ObjectType, registerEnumType } from 'type-graphql';
import type { Currency } from '../domain/currencies/currency.entity.js';
import { CurrencyCode } from '../domain/currencies/currency.service.js';

registerEnumType(CurrencyCode, { name: 'Currency' });

@Directive('@cacheControl(maxAge: 3600)')
@ObjectType('CurrencyInfo')
export class CurrencyInfoType {
  @Field(() => CurrencyCode)
  code!: CurrencyCode;

  @Field(() => String)
  name!: string;

  @Field(() => Int, { description: 'Digits after the decimal point: 2 for NGN and USD.' })
  exponent!: number;

  @Field(() => String)
  symbol!: string;

  static from(currency: Currency): CurrencyInfoType {
    return Object.assign(new CurrencyInfoType(), {
      code: currency.code as CurrencyCode,
      name: currency.name,
      exponent: currency.exponent,
      symbol: currency.symbol,
    });
  }
}
