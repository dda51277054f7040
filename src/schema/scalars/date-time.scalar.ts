import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';

// ISO 8601 with a time and an explicit zone, e.g. 2026-11-28T10:15:30.000Z or +01:00.
const ISO = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

function parse(value: unknown): Date {
  const parts = typeof value === 'string' ? ISO.exec(value) : null;
  if (parts) {
    const date = new Date(parts[0]);
    if (!Number.isNaN(date.getTime()) && isOnTheCalendar(parts)) return date;
  }
  throw new GraphQLError('DateTime must be an ISO-8601 date-time with a zone, e.g. 2026-11-28T10:15:30.000Z', {
    extensions: { code: 'BAD_USER_INPUT' },
  });
}

/** `Date` rolls 2026-02-30 over to March 2 and 24:00 to the next day: refuse those instead. */
function isOnTheCalendar(parts: RegExpExecArray): boolean {
  const [y, mo, d, h] = parts.slice(1, 5).map(Number);
  const wall = new Date(0);
  wall.setUTCFullYear(y, mo - 1, d);
  wall.setUTCHours(h);
  return wall.getUTCFullYear() === y && wall.getUTCMonth() === mo - 1 && wall.getUTCDate() === d && wall.getUTCHours() === h;
}

export const DateTimeScalar = new GraphQLScalarType<Date, string>({
  name: 'DateTime',
  description: 'An ISO-8601 date-time in UTC, e.g. 2026-11-28T10:15:30.000Z.',
  serialize(value) {
    if (value instanceof Date && !Number.isNaN(value.getTime())) return value.toISOString();
    if (typeof value === 'string') return parse(value).toISOString();
    throw new GraphQLError('DateTime cannot represent this value');
  },
  parseValue: parse,
  parseLiteral(ast) {
    if (ast.kind !== Kind.STRING) throw new GraphQLError('DateTime must be a string', { nodes: ast });
    try {
      return parse(ast.value);
    } catch (err) {
      // With its node, the refusal can say which input it is about.
      throw new GraphQLError((err as Error).message, { nodes: ast, extensions: { code: 'BAD_USER_INPUT' } });
    }
  },
});
