import {
  astFromValue,
  buildSchema,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isNonNullType,
  isObjectType,
  isScalarType,
  isUnionType,
  print,
  type GraphQLArgument,
  type GraphQLDirective,
  type GraphQLInputField,
  type GraphQLInputType,
  type GraphQLNamedType,
  type GraphQLSchema,
} from 'graphql';
import { parseLineList } from './line-list.js';

/**
 * Compares the served schema with the public contract. Every contract type, field,
 * argument, input field, enum value and directive is either served exactly as written (type,
 * nullability, default) or listed as pending; a pending item that is served must leave
 * the list, so the list only shrinks. Additions beyond the contract are allowed.
 *
 * Pass the served schema itself, not only its SDL, to check directives: printed SDL never
 * shows graphql-js's built-in ones (@include, @skip, ...) and rebuilding it adds them back,
 * so a schema that lost them would look whole.
 */
export function checkContract(contractSdl: string, servedSchema: string | GraphQLSchema, pendingList: string[]): string[] {
  const contract = buildSchema(contractSdl);
  const served = typeof servedSchema === 'string' ? buildSchema(servedSchema) : servedSchema;
  const pending = new Set(pendingList);
  const problems: string[] = [];
  const unserved = new Set<string>();

  const isPending = (item: string) => pending.has(item) || pending.has(item.split('.')[0]);
  const missing = (item: string, what: string) => {
    unserved.add(item);
    if (!isPending(item)) problems.push(`${item}: ${what} is in the contract but not served (and not listed as pending)`);
  };

  for (const type of userTypes(contract)) {
    const mine = served.getType(type.name);
    if (!mine) {
      missing(type.name, 'type');
      continue;
    }
    if (kind(mine) !== kind(type)) {
      problems.push(`${type.name}: served as ${kind(mine)}, the contract has ${kind(type)}`);
      continue;
    }
    if ((isObjectType(type) || isInterfaceType(type)) && (isObjectType(mine) || isInterfaceType(mine))) {
      const servedFields = mine.getFields();
      for (const field of Object.values(type.getFields())) {
        const item = `${type.name}.${field.name}`;
        const s = servedFields[field.name];
        if (!s) {
          missing(item, 'field');
          continue;
        }
        if (String(s.type) !== String(field.type))
          problems.push(`${item}: served as ${String(s.type)}, the contract has ${String(field.type)}`);
        problems.push(...compareArgs(item, field.args, s.args));
      }
    } else if (isInputObjectType(type) && isInputObjectType(mine)) {
      const servedFields = mine.getFields();
      for (const field of Object.values(type.getFields())) {
        const item = `${type.name}.${field.name}`;
        const s = servedFields[field.name];
        if (!s) missing(item, 'input field');
        else problems.push(...compareInput(item, field, s));
      }
      for (const extra of Object.values(servedFields)) {
        if (!type.getFields()[extra.name] && isNonNullType(extra.type) && extra.defaultValue === undefined) {
          problems.push(`${type.name}.${extra.name}: a required input field the contract does not have breaks clients`);
        }
      }
    } else if (isEnumType(type) && isEnumType(mine)) {
      for (const value of type.getValues()) {
        if (!mine.getValue(value.name)) missing(`${type.name}.${value.name}`, 'enum value');
      }
    } else if (isUnionType(type) && isUnionType(mine)) {
      const members = new Set(mine.getTypes().map((t) => t.name));
      for (const member of type.getTypes()) {
        if (!members.has(member.name)) missing(`${type.name}.${member.name}`, 'union member');
      }
    }
  }

  problems.push(...compareDirectives(contract.getDirectives(), served.getDirectives()));

  for (const item of pending) {
    if (!exists(contract, item)) problems.push(`${item}: listed as pending but the contract has no such item`);
    else if (!unserved.has(item) && !isUnservedType(item, unserved)) {
      problems.push(`${item}: served now, so it must leave the pending list`);
    }
  }
  return problems;
}

/** Every directive of the contract (graphql-js's built-in ones included) served with its locations and arguments. */
function compareDirectives(expected: readonly GraphQLDirective[], actual: readonly GraphQLDirective[]): string[] {
  const problems: string[] = [];
  for (const directive of expected) {
    const item = `@${directive.name}`;
    const mine = actual.find((d) => d.name === directive.name);
    if (!mine) {
      problems.push(`${item}: directive is in the contract (or built into GraphQL) but not served`);
      continue;
    }
    const locations = new Set<string>(mine.locations);
    const lost = directive.locations.filter((l) => !locations.has(l));
    if (lost.length > 0) problems.push(`${item}: not served on ${lost.join(', ')}`);
    if (mine.isRepeatable !== directive.isRepeatable) problems.push(`${item}: repeatable served as ${mine.isRepeatable}`);
    problems.push(...compareArgs(item, directive.args, mine.args));
  }
  return problems;
}

function isUnservedType(item: string, unserved: Set<string>): boolean {
  return !item.includes('.') && unserved.has(item);
}

function compareArgs(item: string, expected: readonly GraphQLArgument[], actual: readonly GraphQLArgument[]): string[] {
  const problems: string[] = [];
  for (const arg of expected) {
    const s = actual.find((a) => a.name === arg.name);
    if (!s) problems.push(`${item}(${arg.name}:): argument missing`);
    else problems.push(...compareInput(`${item}(${arg.name}:)`, arg, s));
  }
  for (const extra of actual) {
    if (!expected.some((a) => a.name === extra.name) && isNonNullType(extra.type) && extra.defaultValue === undefined) {
      problems.push(`${item}(${extra.name}:): a required argument the contract does not have breaks clients`);
    }
  }
  return problems;
}

function compareInput(item: string, expected: GraphQLArgument | GraphQLInputField, actual: GraphQLArgument | GraphQLInputField): string[] {
  const problems: string[] = [];
  if (String(actual.type) !== String(expected.type)) {
    problems.push(`${item}: served as ${String(actual.type)}, the contract has ${String(expected.type)}`);
  }
  const want = printDefault(expected.defaultValue, expected.type);
  const got = printDefault(actual.defaultValue, actual.type);
  if (want !== got) problems.push(`${item}: default served as ${got ?? 'none'}, the contract has ${want ?? 'none'}`);
  return problems;
}

function printDefault(value: unknown, type: GraphQLInputType): string | undefined {
  if (value === undefined) return undefined;
  const ast = astFromValue(value, type);
  return ast ? print(ast) : 'null';
}

function userTypes(schema: GraphQLSchema): GraphQLNamedType[] {
  return Object.values(schema.getTypeMap()).filter(
    (t) => !t.name.startsWith('__') && !(isScalarType(t) && ['String', 'Int', 'Float', 'Boolean', 'ID'].includes(t.name)),
  );
}

function kind(type: GraphQLNamedType): string {
  if (isObjectType(type)) return 'object';
  if (isInterfaceType(type)) return 'interface';
  if (isInputObjectType(type)) return 'input';
  if (isEnumType(type)) return 'enum';
  if (isUnionType(type)) return 'union';
  return 'scalar';
}

function exists(schema: GraphQLSchema, item: string): boolean {
  const [typeName, member] = item.split('.');
  const type = schema.getType(typeName);
  if (!type) return false;
  if (member === undefined) return true;
  if (isObjectType(type) || isInterfaceType(type) || isInputObjectType(type)) return member in type.getFields();
  if (isEnumType(type)) return Boolean(type.getValue(member));
  if (isUnionType(type)) return type.getTypes().some((t) => t.name === member);
  return false;
}

/** The pending list file: one item a line (`Type` or `Type.member`), `#` comments allowed. */
export const parsePendingList = parseLineList;
