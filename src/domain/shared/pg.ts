/**
 * Timestamps from raw SQL: MikroORM's driver hands timestamptz over as text
 * ("2026-11-28 04:58:33.123456+00"); Date wants ISO ("...T04:58:33.123456+00:00").
 */
export function pgDate(value: Date | string): Date {
  if (value instanceof Date) return value;
  return new Date(value.replace(' ', 'T').replace(/([+-]\d\d)$/, '$1:00'));
}

/** A uuid[] parameter for `= any(?::uuid[])`. */
export function uuidArray(ids: readonly string[]): string {
  return `{${ids.join(',')}}`;
}

/** Per-currency amounts as a SQL function's JSON argument takes them: minor units as text (a bigint is no JSON number). */
export function perCurrency(limits: Readonly<Record<string, bigint>>): Record<string, string> {
  return Object.fromEntries(Object.entries(limits).map(([c, v]) => [c, v.toString()]));
}
