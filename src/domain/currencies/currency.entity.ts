import { Entity, PrimaryKey, Property } from '@mikro-orm/core';

/** The one table currencies and their exponents come from (money rule 1). */
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
