import 'reflect-metadata';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { ApolloServerErrorCode, ApolloServerValidationErrorCode } from '@apollo/server/errors';
import { isEnumType } from 'graphql';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/domain/shared/error-codes.js';
import { buildApiSchema } from '../../src/schema/build-schema.js';
import { APOLLO_CODES } from '../../src/schema/errors.js';
import { useTestServer } from '../support/server.js';

/** The codes a client can see: one list in the code, the same in the schema and in the README. */
const codes = Object.values(ErrorCode) as string[];

async function sourceFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile() && e.name.endsWith('.ts')).map((e) => path.join(e.parentPath, e.name));
}

describe('ErrorCode', () => {
  it('is served as an enum with every code, each described', async () => {
    const type = (await buildApiSchema()).getType('ErrorCode');
    expect(isEnumType(type)).toBe(true);
    if (!isEnumType(type)) return;
    expect(type.description).toBeTruthy();
    expect(type.getValues().map((v) => v.name).sort()).toEqual([...codes].sort());
    for (const value of type.getValues()) expect(value.description, value.name).toBeTruthy();
  });

  it('is listed in full in the README, and the README lists no other', async () => {
    const readme = await readFile(path.resolve('README.md'), 'utf8');
    const table = readme.slice(readme.indexOf('| code | meaning |')).split('\n\n')[0];
    const listed = [...table.matchAll(/^\| `([A-Z_]+)` \|/gm)].map((m) => m[1]);
    expect([...listed].sort()).toEqual([...codes].sort());
  });

  it('holds every code the source sends as a literal', async () => {
    const sent = new Map<string, string>();
    for (const file of await sourceFiles(path.resolve('src'))) {
      const text = await readFile(file, 'utf8');
      // `extensions: { code: 'X' }`, and withCode(error, 'X') over WebSocket.
      for (const m of text.matchAll(/extensions: \{[^}]*\bcode: '([A-Z][A-Z_]+)'|withCode\([^,]+, '([A-Z][A-Z_]+)'\)/g)) {
        sent.set(m[1] ?? m[2], path.relative(process.cwd(), file));
      }
    }
    expect(sent.size).toBeGreaterThan(0);
    for (const [code, file] of sent) expect(codes, `${file} sends ${code}`).toContain(code);
  });

  it("holds Apollo Server's own codes, or says what they become", () => {
    const apollo = [...Object.values(ApolloServerErrorCode), ...Object.values(ApolloServerValidationErrorCode)];
    for (const code of apollo) {
      expect(codes.includes(code) || codes.includes(APOLLO_CODES[code]), `${code} is neither ours nor mapped`).toBe(true);
    }
  });
});

describe("Apollo's other codes, as a client receives them", () => {
  const server = useTestServer({}, { reset: false });

  it('an operationName the document lacks is BAD_REQUEST, not a server fault', async () => {
    const res = await fetch(server.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: 'query A { __typename }', operationName: 'B' }),
    });
    const body = (await res.json()) as { errors: { extensions: { code: string } }[] };
    expect(body.errors[0].extensions.code).toBe('BAD_REQUEST');
  });
});
