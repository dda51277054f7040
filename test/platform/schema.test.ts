import 'reflect-metadata';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { buildSchema, GraphQLSchema, printSchema, specifiedDirectives } from 'graphql';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkContract, parsePendingList } from '../../scripts/contract.js';
import { buildApiSchema, printApiSchema } from '../../src/schema/build-schema.js';
import { UserType } from '../../src/schema/user.type.js';

/**
 * The committed schema.graphql is what the code serves, it keeps the public contract, and the
 * contract check itself catches what it must.
 */
const root = process.cwd();
const read = (file: string) => readFile(path.resolve(root, file), 'utf8');

describe('schema.graphql', () => {
  it('is up to date with the code (run `npm run schema` when this fails)', async () => {
    const committed = await read('schema.graphql');
    const built = printApiSchema(await buildApiSchema());
    expect(committed, 'schema.graphql is stale: run `npm run schema` and commit it').toBe(built);
  });

  it('keeps the contract (api/contract.graphql), with contract-pending.txt listing what is not served yet', async () => {
    const [contract, pending] = await Promise.all([read('api/contract.graphql'), read('contract-pending.txt')]);
    const schema = await buildApiSchema();
    for (const served of [printApiSchema(schema), schema]) {
      const problems = checkContract(contract, served, parsePendingList(pending));
      expect(problems, `contract problems:\n${problems.join('\n')}`).toEqual([]);
    }
  });

  it("serves graphql-js's built-in directives besides its own", async () => {
    const names = (await buildApiSchema()).getDirectives().map((d) => d.name);
    expect(names).toEqual(expect.arrayContaining([...specifiedDirectives.map((d) => d.name), 'cacheControl']));
  });

  // The customer's copy is beside a developer's clone but not a plain one; CI compares them.
  it.runIf(existsSync(path.resolve(root, '../shared/api/contract.graphql')))(
    "api/contract.graphql is the customer's ../shared/api/contract.graphql",
    async () => {
      expect(await read('api/contract.graphql')).toBe(await read('../shared/api/contract.graphql'));
    },
  );
});

describe('type-graphql metadata (decorators compiled with design types)', () => {
  it('emits design:type for decorated properties', () => {
    expect(Reflect.getMetadata('design:type', UserType.prototype, 'email')).toBe(String);
    expect(Reflect.getMetadata('design:type', UserType.prototype, 'createdAt')).toBe(Date);
  });
});

describe('checkContract', () => {
  const contract = /* GraphQL */ `
    scalar DateTime
    enum Role { USER ADMIN }
    type User { id: ID! email: String! nickname: String role: Role! createdAt: DateTime! }
    type Item { id: ID! name: String! }
    input NewUser { email: String! tag: String = "plain" }
    type Query {
      me: User
      items(first: Int = 20, after: String): [Item!]!
      later: Int
    }
    type Mutation { create(input: NewUser!): User! }
  `;
  /** The contract served exactly, minus Query.later (which is pending). */
  const exact = contract.replace('later: Int', '');
  const pending = ['Query.later'];

  it('passes a schema that serves the contract exactly, with pending items missing', () => {
    expect(checkContract(contract, exact, pending)).toEqual([]);
  });

  it('allows additions: new types, nullable arguments, optional input fields, enum values', () => {
    const served = exact
      .replace('createdAt: DateTime! }', 'createdAt: DateTime! extra: String }')
      .replace('enum Role { USER ADMIN }', 'enum Role { USER ADMIN AUDITOR } type Extra { id: ID! }')
      .replace('after: String)', 'after: String, sort: String = "new")')
      .replace('tag: String = "plain" }', 'tag: String = "plain" note: String }');
    expect(checkContract(contract, served, pending)).toEqual([]);
  });

  it('catches a nullability change of a field, an argument and an input field', () => {
    expect(checkContract(contract, exact.replace('email: String! nickname', 'email: String nickname'), pending)).toEqual([
      'User.email: served as String, the contract has String!',
    ]);
    expect(checkContract(contract, exact.replace('me: User', 'me: User!'), pending)).toEqual([
      'Query.me: served as User!, the contract has User',
    ]);
    expect(checkContract(contract, exact.replace('[Item!]!', '[Item]!'), pending)).toEqual([
      'Query.items: served as [Item]!, the contract has [Item!]!',
    ]);
    expect(checkContract(contract, exact.replace('after: String)', 'after: String!)'), pending)).toEqual([
      'Query.items(after:): served as String!, the contract has String',
    ]);
    expect(checkContract(contract, exact.replace('input NewUser { email: String!', 'input NewUser { email: String'), pending)).toEqual([
      'NewUser.email: served as String, the contract has String!',
    ]);
  });

  it('catches a changed, added or dropped default', () => {
    expect(checkContract(contract, exact.replace('first: Int = 20', 'first: Int = 50'), pending)).toEqual([
      'Query.items(first:): default served as 50, the contract has 20',
    ]);
    expect(checkContract(contract, exact.replace('first: Int = 20', 'first: Int'), pending)).toEqual([
      'Query.items(first:): default served as none, the contract has 20',
    ]);
    expect(checkContract(contract, exact.replace('after: String)', 'after: String = "")'), pending)).toEqual([
      'Query.items(after:): default served as "", the contract has none',
    ]);
    expect(checkContract(contract, exact.replace('tag: String = "plain"', 'tag: String = "fancy"'), pending)).toEqual([
      'NewUser.tag: default served as "fancy", the contract has "plain"',
    ]);
  });

  it('catches a missing field, type, argument or enum value that is not listed as pending', () => {
    expect(checkContract(contract, exact.replace('nickname: String', ''), pending)).toEqual([
      'User.nickname: field is in the contract but not served (and not listed as pending)',
    ]);
    expect(checkContract(contract, exact.replace(', after: String', ''), pending)).toEqual([
      'Query.items(after:): argument missing',
    ]);
    expect(checkContract(contract, exact.replace('enum Role { USER ADMIN }', 'enum Role { USER }'), pending)).toEqual([
      'Role.ADMIN: enum value is in the contract but not served (and not listed as pending)',
    ]);
    const noItems = exact.replace('type Item { id: ID! name: String! }', '').replace('items(first: Int = 20, after: String): [Item!]!', '');
    expect(checkContract(contract, noItems, pending)).toEqual([
      'Item: type is in the contract but not served (and not listed as pending)',
      'Query.items: field is in the contract but not served (and not listed as pending)',
    ]);
    // Listed, the same gaps pass; a pending type covers its members.
    expect(checkContract(contract, noItems, [...pending, 'Item', 'Query.items'])).toEqual([]);
    // Not listed, the pending item that was missing is caught too.
    expect(checkContract(contract, contract.replace('later: Int', ''), [])).toEqual([
      'Query.later: field is in the contract but not served (and not listed as pending)',
    ]);
  });

  it('catches a served item that is still listed as pending, and a pending item the contract lacks', () => {
    expect(checkContract(contract, contract, pending)).toEqual(['Query.later: served now, so it must leave the pending list']);
    expect(checkContract(contract, exact, [...pending, 'User'])).toEqual(['User: served now, so it must leave the pending list']);
    expect(checkContract(contract, exact, [...pending, 'User.middleName'])).toEqual([
      'User.middleName: listed as pending but the contract has no such item',
    ]);
  });

  it('catches a served schema that lost a built-in or contract directive, or narrowed one', () => {
    const directive = 'directive @audited(reason: String!) on FIELD_DEFINITION | OBJECT';
    const withDirective = `${contract} ${directive}`;
    const built = buildSchema(`${exact} ${directive}`);
    const lose = (name: string) =>
      new GraphQLSchema({ ...built.toConfig(), directives: built.getDirectives().filter((d) => d.name !== name) });
    expect(checkContract(withDirective, built, pending)).toEqual([]);
    expect(checkContract(withDirective, lose('include'), pending)).toEqual([
      '@include: directive is in the contract (or built into GraphQL) but not served',
    ]);
    expect(checkContract(withDirective, lose('audited'), pending)).toEqual([
      '@audited: directive is in the contract (or built into GraphQL) but not served',
    ]);
    const narrowed = `${exact} directive @audited(reason: String) on FIELD_DEFINITION`;
    expect(checkContract(withDirective, narrowed, pending)).toEqual([
      '@audited: not served on OBJECT',
      '@audited(reason:): served as String, the contract has String!',
    ]);
    // SDL alone cannot show the loss: printing drops the built-in ones and building adds them back.
    expect(checkContract(withDirective, printSchema(lose('include')), pending)).toEqual([]);
  });

  it('catches a kind change and additions that break clients', () => {
    expect(checkContract(contract, exact.replace('enum Role { USER ADMIN }', 'scalar Role'), pending)).toEqual([
      'Role: served as scalar, the contract has enum',
    ]);
    expect(checkContract(contract, exact.replace('after: String)', 'after: String, sort: String!)'), pending)).toEqual([
      'Query.items(sort:): a required argument the contract does not have breaks clients',
    ]);
    expect(checkContract(contract, exact.replace('tag: String = "plain" }', 'tag: String = "plain" code: String! }'), pending)).toEqual([
      'NewUser.code: a required input field the contract does not have breaks clients',
    ]);
  });
});

describe('parsePendingList', () => {
  it('reads one item a line, ignoring comments and blank lines', () => {
    expect(parsePendingList('# header\nWallet\n\n  Query.wallet   # soon\n#Card\n')).toEqual(['Wallet', 'Query.wallet']);
  });
});
