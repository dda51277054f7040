import { Entity, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * The table every account's currency refers to. Its rows mirror the catalog in
 * src/config/currencies.ts (written at start-up by `syncCurrencies`), where currencies and their
 * exponents come from (money rule 1).
 */
@Entity({ tableName: 'currencies' })
export class Currency {
  @PrimaryKey({ type: 'text' })
  code!: string;

  @Property({ type: 'text' })
  name!: string;

  /** Digits after the decimal point. */
  @Property({ type: 'smallint' })
  exponent!: number;

  @Property({ type: 'text' })
  symbol!: string;
}
