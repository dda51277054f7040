import 'reflect-metadata';
import {
  buildSchema,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isIntrospectionType,
  isObjectType,
  isSpecifiedDirective,
  isSpecifiedScalarType,
  type GraphQLSchema,
} from 'graphql';
import { describe, expect, it } from 'vitest';
import { buildApiSchema } from '../../src/schema/build-schema.js';

/**
 * Every item of the served schema a client can see in GraphiQL or Sandbox explains itself:
 * types, fields, arguments, input fields, enum values, and our own directives with their
 * arguments. graphql-js's built-ins (String, @include, __Schema...) document themselves.
 */
function undocumented(schema: GraphQLSchema): string[] {
  const missing: string[] = [];
  const check = (item: string, description: string | null | undefined) => {
    if (!description?.trim()) missing.push(item);
  };
  for (const type of Object.values(schema.getTypeMap())) {
    if (isIntrospectionType(type) || isSpecifiedScalarType(type)) continue;
    check(type.name, type.description);
    if (isObjectType(type) || isInterfaceType(type)) {
      for (const field of Object.values(type.getFields())) {
        check(`${type.name}.${field.name}`, field.description);
        for (const arg of field.args) check(`${type.name}.${field.name}(${arg.name}:)`, arg.description);
      }
    } else if (isInputObjectType(type)) {
      for (const field of Object.values(type.getFields())) check(`${type.name}.${field.name}`, field.description);
    } else if (isEnumType(type)) {
      for (const value of type.getValues()) check(`${type.name}.${value.name}`, value.description);
    }
  }
  for (const directive of schema.getDirectives()) {
    if (isSpecifiedDirective(directive)) continue;
    check(`@${directive.name}`, directive.description);
    for (const arg of directive.args) check(`@${directive.name}(${arg.name}:)`, arg.description);
  }
  return missing.sort();
}

describe('the served schema documents itself', () => {
  it('has a description on every type, field, argument, input field, enum value and directive argument', async () => {
    const missing = undocumented(await buildApiSchema());
    expect(missing, `${missing.length} items without a description:\n${missing.join('\n')}`).toEqual([]);
  });
});

describe('undocumented', () => {
  const documented = /* GraphQL */ `
    "d" directive @hint("d" level: Int) on FIELD_DEFINITION
    "d" scalar Stamp
    "d" enum Kind { "d" A "d" B }
    "d" input Filter { "d" kind: Kind "d" since: Stamp }
    "d" interface Node { "d" id: ID! }
    "d" type Item implements Node { "d" id: ID! "d" name: String }
    "d" union Found = Item
    "d" type Query { "d" items("d" filter: Filter, "d" first: Int): [Item!]! "d" find: Found }
  `;

  it('passes a schema where everything is described, and skips built-in scalars, directives and introspection', () => {
    expect(undocumented(buildSchema(documented))).toEqual([]);
  });

  it('names each kind of item that lacks a description', () => {
    const strip = (from: string) => documented.replace(from, from.replace(/"d" /, ''));
    const cases: [string, string][] = [
      ['"d" directive @hint', '@hint'],
      ['"d" level', '@hint(level:)'],
      ['"d" scalar', 'Stamp'],
      ['"d" enum', 'Kind'],
      ['"d" B', 'Kind.B'],
      ['"d" input', 'Filter'],
      ['"d" since', 'Filter.since'],
      ['"d" interface', 'Node'],
      ['"d" type Item', 'Item'],
      ['"d" name', 'Item.name'],
      ['"d" union', 'Found'],
      ['"d" type Query', 'Query'],
      ['"d" items', 'Query.items'],
      ['"d" first', 'Query.items(first:)'],
    ];
    for (const [from, item] of cases) expect(undocumented(buildSchema(strip(from))), from).toEqual([item]);
    // A blank description counts as none.
    expect(undocumented(buildSchema(documented.replace('"d" A', '" " A')))).toEqual(['Kind.A']);
  });
});
