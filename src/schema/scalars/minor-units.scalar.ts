import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';

/** At most 18 digits keeps every amount, and the sum of two, inside a signed 64-bit bigint. */
const MAX_DIGITS = 18;
const POSITIVE = new RegExp(`^[1-9]\\d{0,${MAX_DIGITS - 1}}$`);
const MESSAGE = `MinorUnits must be a string of 1 to ${MAX_DIGITS} digits with a positive value, e.g. "150000"`;

function parse(value: unknown): bigint {
  if (typeof value === 'string' && POSITIVE.test(value)) return BigInt(value);
  throw new GraphQLError(MESSAGE, { extensions: { code: 'BAD_USER_INPUT' } });
}

export const MinorUnitsScalar = new GraphQLScalarType<bigint, string>({
  name: 'MinorUnits',
  description:
    "An exact whole number of a currency's minor units (kobo, cents), written as a\n" +
    'base-10 string of at most 18 digits, e.g. "150000" for NGN 1,500.00. Inputs must be positive.',
  serialize(value) {
    const n = typeof value === 'bigint' ? value : typeof value === 'string' && /^-?\d+$/.test(value) ? BigInt(value) : null;
    if (n === null || (n < 0n ? -n : n).toString().length > MAX_DIGITS) {
      throw new GraphQLError('MinorUnits cannot represent this value');
    }
    return n.toString();
  },
  parseValue: parse,
  parseLiteral(ast) {
    // A number literal is refused too: amounts travel as strings so no client rounds them.
    if (ast.kind !== Kind.STRING) throw new GraphQLError(MESSAGE, { nodes: ast, extensions: { code: 'BAD_USER_INPUT' } });
    if (!POSITIVE.test(ast.value)) throw new GraphQLError(MESSAGE, { nodes: ast, extensions: { code: 'BAD_USER_INPUT' } });
    return BigInt(ast.value);
  },
});
