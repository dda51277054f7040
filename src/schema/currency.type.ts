import { Directive, Field, Int, ObjectType, registerEnumType } from 'type-graphql';
import type { Currency } from '../domain/currencies/currency.entity.js';
import { CurrencyCode } from '../domain/currencies/currency.service.js';

registerEnumType(CurrencyCode, {
  name: 'Currency',
  description: 'A currency wallets can hold (ISO 4217); currencies gives names, symbols and exponents.',
  valuesConfig: {
    NGN: { description: 'Nigerian naira; minor unit kobo.' },
    USD: { description: 'US dollar; minor unit cent.' },
    GHS: { description: 'Ghanaian cedi; minor unit pesewa.' },
    KES: { description: 'Kenyan shilling; minor unit cent.' },
    ZAR: { description: 'South African rand; minor unit cent.' },
    GBP: { description: 'Pound sterling; minor unit penny.' },
    EUR: { description: 'Euro; minor unit cent.' },
  },
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

  static from(currency: Currency): CurrencyInfoType {
    return Object.assign(new CurrencyInfoType(), {
      code: currency.code as CurrencyCode,
      name: currency.name,
      exponent: currency.exponent,
      symbol: currency.symbol,
    });
  }
}
