/**
 * A statement as a span may show it: MikroORM sends SQL with its values written in (an email,
 * a password hash, an amount), so every literal becomes `?`. What stays is the statement's
 * shape: tables, columns, operators, placeholders ($1).
 */
export function withoutLiterals(sql: string): string {
  return (
    sql
      // 'text', E'text', with '' escapes inside
      .replace(/(?:\b[eE])?'(?:[^']|'')*'/g, '?')
      .replace(/(?<![\w$."])-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?\b/g, '?')
  );
}
