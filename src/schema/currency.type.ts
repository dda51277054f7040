import { Directive, Field, Int, ObjectType, registerEnumType } from 'type-graphql';
import { CURRENCIES, CURRENCY_CODES } from '../config/currencies.js';
import { CurrencyCode, type CurrencyInfo } from '../domain/currencies/currency.service.js';

registerEnumType(CurrencyCode, {
  name: 'Currency',
  description: 'A currency wallets can hold (ISO 4217); currencies gives names, symbols and exponents.',
  valuesConfig: Object.fromEntries(CURRENCY_CODES.map((code) => [code, { description: CURRENCIES[code].description }])),
});

@Directive('@cacheControl(maxAge: 3600)')
@ObjectType('CurrencyInfo', { description: 'A currency and how to show its amounts.' })
export class CurrencyInfoType {
  @Field(() => CurrencyCode, { description: 'The currency.' })
  code!: CurrencyCode;

  @Field(() => String, { description: 'Its English name, e.g. Nigerian Naira.' })
  name!: string;

  @Field(() => Int, { description: 'Digits after the decimal point: 2 for NGN and USD.' })
  exponent!: number;

  @Field(() => String, { description: 'Its symbol, e.g. ₦.' })
  symbol!: string;

  static from(currency: CurrencyInfo): CurrencyInfoType {
    return Object.assign(new CurrencyInfoType(), {
      code: currency.code,
      name: currency.name,
      exponent: currency.exponent,
      symbol: currency.symbol,
    });
  }
}
