import { ApolloServer } from '@apollo/server';
import {
  execute,
  GraphQLNonNull,
  GraphQLObjectType,
  GraphQLSchema,
  GraphQLString,
  parse,
  validate,
  type GraphQLError,
} from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatError } from '../../src/schema/errors.js';
import { DateTimeScalar } from '../../src/schema/scalars/date-time.scalar.js';
import { MinorUnitsScalar } from '../../src/schema/scalars/minor-units.scalar.js';

/**
 * The custom scalars on a tiny schema of their own (MinorUnits is not served yet): literals
 * written into a document fail validation, bad variables fail coercion with BAD_USER_INPUT,
 * and output is serialized as strings.
 */
const schema = new GraphQLSchema({
  query: new GraphQLObjectType({
    name: 'Query',
    fields: {
      amount: {
        type: new GraphQLNonNull(MinorUnitsScalar),
        args: { v: { type: new GraphQLNonNull(MinorUnitsScalar) } },
        resolve: (_root, { v }: { v: unknown }) => {
          // The resolver sees the parsed value: an exact bigint.
          if (typeof v !== 'bigint') throw new Error(`expected a bigint, got ${typeof v}`);
          return v;
        },
      },
      amountType: {
        type: GraphQLString,
        args: { v: { type: new GraphQLNonNull(MinorUnitsScalar) } },
        resolve: (_root, { v }: { v: unknown }) => typeof v,
      },
      instant: {
        type: new GraphQLNonNull(DateTimeScalar),
        args: { v: { type: new GraphQLNonNull(DateTimeScalar) } },
        resolve: (_root, { v }: { v: unknown }) => {
          if (!(v instanceof Date)) throw new Error('expected a Date');
          return v;
        },
      },
      balance: { type: MinorUnitsScalar, resolve: () => 123_456_789_012_345_678n },
      negative: { type: MinorUnitsScalar, resolve: () => -250n },
      tooBig: { type: MinorUnitsScalar, resolve: () => 10n ** 18n },
      float: { type: MinorUnitsScalar, resolve: () => 1.5 },
      now: { type: DateTimeScalar, resolve: () => new Date('2026-11-28T10:15:30.000Z') },
    },
  }),
});

const EIGHTEEN = '999999999999999999';
const NINETEEN = '1000000000000000000';
const BAD_AMOUNTS: Array<[string, unknown]> = [
  ['zero', '0'],
  ['negative', '-1'],
  ['a fraction', '1.5'],
  ['19 digits', NINETEEN],
  ['a leading zero', '0150'],
  ['a number', 150],
  ['a huge number', 1e20],
  ['an empty string', ''],
  ['spaces', ' 150'],
  ['an exponent', '1e5'],
  ['a plus sign', '+5'],
  ['null-ish text', 'null'],
  ['an object', { value: '5' }],
  ['a boolean', true],
];
const BAD_INSTANTS: Array<[string, unknown]> = [
  ['a date without a time', '2026-11-28'],
  ['a time without a zone', '2026-11-28T10:15:30'],
  ['text', 'yesterday'],
  ['a month 13', '2026-13-01T00:00:00Z'],
  ['February 30th', '2026-02-30T00:00:00Z'],
  ['hour 24', '2026-11-28T24:00:00Z'],
  ['second 60', '2026-11-28T10:15:60Z'],
  ['an offset of 25 hours', '2026-11-28T10:15:30+25:00'],
  ['epoch milliseconds', 1_795_840_000_000],
];

function run(source: string, variableValues?: Record<string, unknown>) {
  const document = parse(source);
  const validationErrors = validate(schema, document);
  if (validationErrors.length > 0) return { validationErrors, result: undefined };
  return { validationErrors, result: execute({ schema, document, variableValues }) as { data?: unknown; errors?: readonly GraphQLError[] } };
}

describe('MinorUnits', () => {
  it('accepts 1 to 18 digits, as a variable or a literal, and hands resolvers a bigint', () => {
    for (const v of ['1', '150000', EIGHTEEN]) {
      const asVariable = run('query ($v: MinorUnits!) { amount(v: $v) amountType(v: $v) }', { v });
      expect(asVariable.result?.errors).toBeUndefined();
      expect(asVariable.result?.data).toEqual({ amount: v, amountType: 'bigint' });
      const asLiteral = run(`{ amount(v: "${v}") }`);
      expect(asLiteral.validationErrors).toEqual([]);
      expect(asLiteral.result?.data).toEqual({ amount: v });
    }
  });

  it.each(BAD_AMOUNTS)('refuses %s as a variable with BAD_USER_INPUT, before resolving', (_label, v) => {
    const { result } = run('query ($v: MinorUnits!) { amount(v: $v) }', { v });
    expect(result?.data).toBeUndefined();
    expect(result?.errors).toHaveLength(1);
    expect(result!.errors![0].message).toMatch(/^Variable "\$v" got invalid value/);
    expect(result!.errors![0].extensions.code).toBe('BAD_USER_INPUT');
  });

  it.each(BAD_AMOUNTS.filter(([, v]) => typeof v === 'string' || typeof v === 'number'))(
    'refuses %s written as a literal at validation',
    (_label, v) => {
      const literal = typeof v === 'string' ? JSON.stringify(v) : String(v);
      const { validationErrors, result } = run(`{ amount(v: ${literal}) }`);
      expect(result).toBeUndefined();
      expect(validationErrors).toHaveLength(1);
      expect(validationErrors[0].message).toMatch(/MinorUnits/);
    },
  );

  it('serializes bigint (and digit strings) as base-10 strings, negatives included', () => {
    const { result } = run('{ balance negative }');
    expect(result?.errors).toBeUndefined();
    expect(result?.data).toEqual({ balance: '123456789012345678', negative: '-250' });
    expect(MinorUnitsScalar.serialize(42n)).toBe('42');
    expect(MinorUnitsScalar.serialize('42')).toBe('42');
    expect(MinorUnitsScalar.serialize(0n)).toBe('0');
  });

  it('refuses to serialize more than 18 digits or a non-integer', () => {
    const { result } = run('{ tooBig float }');
    expect(result?.data).toEqual({ tooBig: null, float: null });
    expect(result?.errors?.map((e) => e.path?.[0]).sort()).toEqual(['float', 'tooBig']);
    expect(() => MinorUnitsScalar.serialize(1.5)).toThrow();
    expect(() => MinorUnitsScalar.serialize(10n ** 18n)).toThrow();
  });
});

describe('DateTime', () => {
  it('accepts ISO-8601 date-times with a zone and serializes them in UTC', () => {
    const cases: Array<[string, string]> = [
      ['2026-11-28T10:15:30.000Z', '2026-11-28T10:15:30.000Z'],
      ['2026-11-28T10:15:30+01:00', '2026-11-28T09:15:30.000Z'],
      ['2026-11-28T10:15Z', '2026-11-28T10:15:00.000Z'],
      ['2028-02-29T23:59:59.999-05:00', '2028-03-01T04:59:59.999Z'],
    ];
    for (const [v, out] of cases) {
      const { result } = run('query ($v: DateTime!) { instant(v: $v) }', { v });
      expect(result?.errors, v).toBeUndefined();
      expect(result?.data).toEqual({ instant: out });
      expect(run(`{ instant(v: "${v}") }`).result?.data).toEqual({ instant: out });
    }
    expect(run('{ now }').result?.data).toEqual({ now: '2026-11-28T10:15:30.000Z' });
  });

  it.each(BAD_INSTANTS)('refuses %s as a variable with BAD_USER_INPUT', (_label, v) => {
    const { result } = run('query ($v: DateTime!) { instant(v: $v) }', { v });
    expect(result?.data).toBeUndefined();
    expect(result?.errors).toHaveLength(1);
    expect(result!.errors![0].extensions.code).toBe('BAD_USER_INPUT');
  });

  it.each(BAD_INSTANTS)('refuses %s written as a literal at validation', (_label, v) => {
    const { validationErrors } = run(`{ instant(v: ${JSON.stringify(v)}) }`);
    expect(validationErrors).toHaveLength(1);
  });
});

describe('the codes a client sees (through Apollo and formatError)', () => {
  let apollo: ApolloServer;
  beforeAll(async () => {
    apollo = new ApolloServer({ schema, formatError, includeStacktraceInErrorResponses: false });
    await apollo.start();
  });
  afterAll(() => apollo.stop());

  async function codes(query: string, variables?: Record<string, unknown>): Promise<unknown[]> {
    const res = await apollo.executeOperation({ query, variables });
    if (res.body.kind !== 'single') throw new Error('expected a single result');
    return (res.body.singleResult.errors ?? []).map((e) => e.extensions?.code);
  }

  it('bad variables: BAD_USER_INPUT', async () => {
    expect(await codes('query ($v: MinorUnits!) { amount(v: $v) }', { v: '1.5' })).toEqual(['BAD_USER_INPUT']);
    expect(await codes('query ($v: MinorUnits!) { amount(v: $v) }', { v: 150 })).toEqual(['BAD_USER_INPUT']);
    expect(await codes('query ($v: DateTime!) { instant(v: $v) }', { v: 'tomorrow' })).toEqual(['BAD_USER_INPUT']);
  });

  it('bad literals: GRAPHQL_VALIDATION_FAILED', async () => {
    expect(await codes('{ amount(v: "0") }')).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    expect(await codes('{ amount(v: 150) }')).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    expect(await codes(`{ amount(v: "${NINETEEN}") }`)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    expect(await codes('{ instant(v: "2026-11-28") }')).toEqual(['GRAPHQL_VALIDATION_FAILED']);
  });

  it('good input: no errors', async () => {
    expect(await codes(`{ amount(v: "${EIGHTEEN}") instant(v: "2026-11-28T10:15:30Z") }`)).toEqual([]);
  });
});
