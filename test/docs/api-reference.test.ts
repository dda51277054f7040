import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  buildSchema,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isIntrospectionType,
  isObjectType,
  isSpecifiedDirective,
  isSpecifiedScalarType,
  type GraphQLArgument,
} from 'graphql';
import { describe, expect, it } from 'vitest';
import { renderApiReference } from '../../scripts/api-reference.js';

/**
 * docs/api-reference.md is generated from schema.graphql (`npm run docs:api`): it must match
 * the schema, and it must document every type, field, argument and enum value with its
 * description, in tables that render and with links that reach their headings.
 */
const root = path.resolve(import.meta.dirname, '../..');
const sdl = readFileSync(path.join(root, 'schema.graphql'), 'utf8');
const rendered = renderApiReference(sdl);

/** The text a reader sees, back from the escapes of a table cell. */
const plain = (markdown: string) => markdown.replace(/<br>/g, '\n').replace(/\\\|/g, '|').replace(/&lt;/g, '<');
/** A description as the page shows it: each line trimmed. */
const lines = (description: string) =>
  description
    .trim()
    .split('\n')
    .map((line) => line.trim())
    .join('\n');

/** The part of the page under a `### heading`, up to the next heading of level 2 or 3. */
function section(markdown: string, heading: string): string {
  const all = markdown.split('\n');
  const start = all.indexOf(`### ${heading}`);
  expect(start, `no heading "### ${heading}"`).toBeGreaterThanOrEqual(0);
  const end = all.findIndex((line, i) => i > start && /^#{2,3} /.test(line));
  return all.slice(start, end < 0 ? undefined : end).join('\n');
}

/** The table row of one field, argument or enum value in a section. */
function row(text: string, name: string): string {
  const found = text.split('\n').find((line) => line.startsWith(`| \`${name}\` |`));
  expect(found, `no row for ${name}`).toBeDefined();
  return found!;
}

/** GitHub's heading anchors (github-slugger), repeats numbered in the order of the page. */
function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const result = new Set<string>();
  let fenced = false;
  for (const line of markdown.split('\n')) {
    if (line.startsWith('```')) fenced = !fenced;
    const heading = !fenced && /^#{1,6} (.*)$/.exec(line);
    if (!heading) continue;
    const base = heading[1]
      .toLowerCase()
      .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
      .replace(/ /g, '-');
    let slug = base;
    while (seen.has(slug)) {
      seen.set(base, seen.get(base)! + 1);
      slug = `${base}-${seen.get(base)}`;
    }
    seen.set(slug, 0);
    result.add(slug);
  }
  return result;
}

/** Every table row has as many cells as its header: no `|` of a description breaks one. */
function brokenRows(markdown: string): string[] {
  const cells = (line: string) => line.replace(/\\\|/g, '').split('|').length - 2;
  const broken: string[] = [];
  let columns = 0;
  for (const line of markdown.split('\n')) {
    if (!line.startsWith('|')) {
      columns = 0;
      continue;
    }
    if (columns === 0) columns = cells(line);
    else if (cells(line) !== columns || !line.endsWith(' |')) broken.push(line);
    if (columns > 3) broken.push(`more than 3 columns: ${line}`);
  }
  return broken;
}

/** Arguments sit in rows of their own table (root fields, directives) or in their field's row. */
function expectArguments(text: string, args: readonly GraphQLArgument[], where: string) {
  const fieldRow = !text.includes('\n');
  for (const arg of args) {
    const description = lines(arg.description ?? '');
    if (fieldRow) {
      expect(text, `argument ${where}(${arg.name}:) is missing`).toContain(`<br>\`${arg.name}\`: `);
      expect(plain(text), `the description of ${where}(${arg.name}:)`).toContain(description);
    } else {
      expect(plain(row(text, arg.name)), `the description of ${where}(${arg.name}:)`).toContain(description);
    }
  }
}

describe('docs/api-reference.md', () => {
  it('is generated from the committed schema.graphql', () => {
    const committed = readFileSync(path.join(root, 'docs/api-reference.md'), 'utf8');
    expect(committed, 'docs/api-reference.md is stale: run `npm run docs:api` and commit it').toBe(rendered);
  });

  it('documents every type, field, argument, enum value and directive of the schema with its description', () => {
    const schema = buildSchema(sdl);
    const roots = [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()];
    let checked = 0;
    for (const type of Object.values(schema.getTypeMap())) {
      if (isIntrospectionType(type) || isSpecifiedScalarType(type)) continue;
      if (isObjectType(type) && roots.some((rootType) => rootType === type)) {
        for (const field of Object.values(type.getFields())) {
          const text = section(rendered, `${type.name}.${field.name}`);
          expect(plain(text), `the description of ${type.name}.${field.name}`).toContain(lines(field.description ?? ''));
          expect(text).toContain(`**Returns** `);
          expectArguments(text, field.args, `${type.name}.${field.name}`);
          checked++;
        }
        continue;
      }
      const text = section(rendered, type.name);
      expect(plain(text), `the description of ${type.name}`).toContain(lines(type.description ?? ''));
      if (isObjectType(type) || isInterfaceType(type) || isInputObjectType(type)) {
        for (const field of Object.values(type.getFields())) {
          const fieldRow = row(text, field.name);
          expect(plain(fieldRow), `the description of ${type.name}.${field.name}`).toContain(lines(field.description ?? ''));
          if ('args' in field) expectArguments(fieldRow, field.args, `${type.name}.${field.name}`);
          checked++;
        }
      } else if (isEnumType(type)) {
        for (const value of type.getValues()) {
          expect(plain(row(text, value.name)), `the description of ${type.name}.${value.name}`).toContain(lines(value.description ?? ''));
          checked++;
        }
      }
    }
    for (const directive of schema.getDirectives()) {
      if (isSpecifiedDirective(directive)) continue;
      const text = section(rendered, `@${directive.name}`);
      expect(plain(text), `the description of @${directive.name}`).toContain(lines(directive.description ?? ''));
      expectArguments(text, directive.args, `@${directive.name}`);
    }
    expect(checked).toBeGreaterThan(100);
  });

  it('has tables that render, of at most 3 columns, and links that reach their headings', () => {
    expect(brokenRows(rendered)).toEqual([]);
    const targets = anchors(rendered);
    const links = [...rendered.matchAll(/\]\(#([^)]*)\)/g)].map((match) => match[1]);
    expect(links.length).toBeGreaterThan(100);
    expect(links.filter((anchor) => !targets.has(anchor))).toEqual([]);
  });

  it('counts the types and root fields in its header', () => {
    const schema = buildSchema(sdl);
    const count = (type: { getFields(): object } | null | undefined) => Object.keys(type?.getFields() ?? {}).length;
    expect(rendered).toContain(
      `${count(schema.getQueryType())} queries, ${count(schema.getMutationType())} mutations and ${count(schema.getSubscriptionType())} subscriptions.`,
    );
  });
});

describe('renderApiReference', () => {
  const fixture = /* GraphQL */ `
    "What can be read."
    type Query {
      "The old way."
      legacy: String @deprecated(reason: "Use \`modern\`.")
      "Items, in an order."
      modern(
        "How many."
        first: Int = 20
        "Which end first."
        order: Order = NEWEST
        """
        A pipe | and
        a second line.
        """
        filter: String = "a|b"
        "Where to start."
        after: String
      ): [Item!]!
      "Named like the heading of Query.legacy."
      clash("Its id." id: ID!): QueryLegacy
    }
    "A thing."
    type Item {
      "Its id."
      id: ID!
      "No longer served."
      kind: Order @deprecated
    }
    "Its anchor is taken by the heading Query.legacy."
    type QueryLegacy {
      "Yes."
      ok: Boolean
    }
    "A sort order."
    enum Order {
      "Newest first."
      NEWEST
      "Oldest first."
      OLDEST @deprecated(reason: "Gone.")
    }
  `;
  const markdown = renderApiReference(fixture);

  it('shows deprecations with their reasons', () => {
    expect(section(markdown, 'Query.legacy')).toContain('> **Deprecated:** Use `modern`.');
    // A bare @deprecated gets graphql-js's default reason.
    expect(row(section(markdown, 'Item'), 'kind')).toBe(
      '| `kind` | [Order](#order) | **Deprecated:** No longer supported<br>No longer served. |',
    );
    expect(row(section(markdown, 'Order'), 'OLDEST')).toBe('| `OLDEST` | **Deprecated:** Gone.<br>Oldest first. |');
    expect(row(section(markdown, 'Order'), 'NEWEST')).toBe('| `NEWEST` | Newest first. |');
  });

  it('shows arguments with their types, defaults and descriptions, escaped for a table', () => {
    const text = section(markdown, 'Query.modern');
    expect(text).toContain('Items, in an order.');
    expect(text).toContain(
      '```graphql\nmodern(\n  first: Int = 20\n  order: Order = NEWEST\n  filter: String = "a|b"\n  after: String\n): [Item!]!\n```',
    );
    expect(text).toContain('**Returns** \\[[Item](#item)!\\]!');
    expect(row(text, 'first')).toBe('| `first` | Int, default `20` | How many. |');
    expect(row(text, 'order')).toBe('| `order` | [Order](#order), default `NEWEST` | Which end first. |');
    expect(row(text, 'filter')).toBe('| `filter` | String, default `"a\\|b"` | A pipe \\| and<br>a second line. |');
  });

  it('sorts the types, counts them, and links each to its own heading', () => {
    expect(markdown).toContain('The schema has 3 types besides its root types, 3 queries, 0 mutations and 0 subscriptions.');
    expect(markdown).toContain('The schema has no mutation type.');
    const headings = markdown.split('\n').filter((line) => line.startsWith('#'));
    expect(headings.indexOf('### Item')).toBeLessThan(headings.indexOf('### QueryLegacy'));
    // GitHub numbers the second heading with anchor "querylegacy".
    expect(section(markdown, 'Query.clash')).toContain('```graphql\nclash(id: ID!): QueryLegacy\n```');
    expect(section(markdown, 'Query.clash')).toContain('**Returns** [QueryLegacy](#querylegacy-1)');
    expect(anchors(markdown)).toContain('querylegacy-1');
    expect(brokenRows(markdown)).toEqual([]);
  });

  it('skips built-ins and introspection types, naming the built-ins once', () => {
    expect(markdown).not.toMatch(/^### (String|Int|Boolean|ID|Float|__\w+|@include|@skip|@deprecated)$/m);
    expect(markdown).toContain('Built in, not listed here: `Boolean`, `Float`, `ID`, `Int`, `String`.');
  });

  it('is deterministic', () => {
    expect(renderApiReference(fixture)).toBe(markdown);
  });
});
