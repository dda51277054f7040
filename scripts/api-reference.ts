import { readFile, writeFile } from 'node:fs/promises';
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  astFromValue,
  buildSchema,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isIntrospectionType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  isSpecifiedDirective,
  isSpecifiedScalarType,
  isUnionType,
  print,
  specifiedDirectives,
  specifiedScalarTypes,
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputField,
  type GraphQLInputType,
  type GraphQLNamedType,
  type GraphQLObjectType,
  type GraphQLSchema,
  type GraphQLType,
} from 'graphql';

/**
 * `npm run docs:api`: writes docs/api-reference.md, the API reference, from the committed
 * schema.graphql: every root field, type, field, argument, enum value, custom scalar and custom
 * directive with its description. `--check` compares instead and fails when the file is stale;
 * test/docs/api-reference.test.ts does the same in `npm test`.
 *
 * The Markdown reads on GitHub and printed to A4: tables have at most three columns, arguments
 * of a field sit in its description cell, and a type's name links to its heading (GitHub's
 * anchor: the lowercased name). The output depends on the schema only (no dates), so a
 * regenerated file differs only where the schema did.
 */

const SECTIONS = {
  queries: 'Queries',
  mutations: 'Mutations',
  subscriptions: 'Subscriptions',
  objects: 'Object types',
  inputs: 'Input types',
  interfaces: 'Interfaces',
  unions: 'Unions',
  enums: 'Enums',
  scalars: 'Scalars',
  directives: 'Directives',
} as const;

const NO_DESCRIPTION = '*No description.*';

/** Sorted by name, case-insensitively first, so the order does not depend on the locale. */
const byName = <T extends { name: string }>(a: T, b: T) => {
  const [x, y] = [a.name.toLowerCase(), b.name.toLowerCase()];
  if (x !== y) return x < y ? -1 : 1;
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
};

/** `<` that would open an HTML tag, outside code spans, shown as text. */
function escapeHtml(markdown: string): string {
  return markdown
    .split(/(`+[^`]*?`+)/)
    .map((part, i) => (i % 2 === 1 ? part : part.replace(/<(?=[A-Za-z/!?])/g, '&lt;')))
    .join('');
}

/** A description for a table cell: one line, `|` escaped (inside code spans too, as GFM wants). */
function cell(text: string): string {
  return escapeHtml(text.trim())
    .replace(/\r\n?/g, '\n')
    .replace(/\|/g, '\\|')
    .split('\n')
    .map((line) => line.trim())
    .join('<br>');
}

/** A description as its own paragraphs. */
function block(text: string | null | undefined): string {
  return text?.trim() ? escapeHtml(text.trim().replace(/\r\n?/g, '\n')) : NO_DESCRIPTION;
}

/** A code span that holds any text, backticks too. */
function code(text: string): string {
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  const pad = text.startsWith('`') || text.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${text}${pad}${fence}`;
}

/** GitHub's heading anchors (as github-slugger makes them): lowercase, punctuation dropped, spaces to hyphens, repeats numbered. */
function slugger(): (heading: string) => string {
  const occurrences = new Map<string, number>();
  return (heading) => {
    const base = heading
      .toLowerCase()
      .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
      .replace(/ /g, '-');
    let slug = base;
    while (occurrences.has(slug)) {
      const n = occurrences.get(base)! + 1;
      occurrences.set(base, n);
      slug = `${base}-${n}`;
    }
    occurrences.set(slug, 0);
    return slug;
  };
}

function defaultValue(item: GraphQLArgument | GraphQLInputField): string | undefined {
  if (item.astNode?.defaultValue) return print(item.astNode.defaultValue);
  if (item.defaultValue === undefined) return undefined;
  const ast = astFromValue(item.defaultValue, item.type as GraphQLInputType);
  return ast ? print(ast) : undefined;
}

function deprecation(reason: string | null | undefined): string | undefined {
  if (reason === undefined || reason === null) return undefined;
  return reason.trim() ? `**Deprecated:** ${cell(reason)}` : '**Deprecated.**';
}

/** Everything the page documents, in its order. */
function collect(schema: GraphQLSchema) {
  const roots = [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()];
  const named = Object.values(schema.getTypeMap())
    .filter((type) => !isIntrospectionType(type) && !isSpecifiedScalarType(type))
    .sort(byName);
  return {
    roots,
    objects: named.filter((type): type is GraphQLObjectType => isObjectType(type) && !roots.includes(type)),
    inputs: named.filter(isInputObjectType),
    interfaces: named.filter(isInterfaceType),
    unions: named.filter(isUnionType),
    enums: named.filter(isEnumType),
    scalars: named.filter(isScalarType),
    directives: schema
      .getDirectives()
      .filter((directive) => !isSpecifiedDirective(directive))
      .sort(byName),
  };
}

/** The Markdown API reference of a schema given as SDL. */
export function renderApiReference(sdl: string): string {
  const schema = buildSchema(sdl);
  const { roots, objects, inputs, interfaces, unions, enums, scalars, directives } = collect(schema);
  const [query, mutation, subscription] = roots;

  const rootSections = [
    [SECTIONS.queries, query, 'query'],
    [SECTIONS.mutations, mutation, 'mutation'],
    [SECTIONS.subscriptions, subscription, 'subscription'],
  ] as const;
  const typeSections: [string, GraphQLNamedType[]][] = [
    [SECTIONS.objects, objects],
    [SECTIONS.inputs, inputs],
    [SECTIONS.interfaces, interfaces],
    [SECTIONS.unions, unions],
    [SECTIONS.enums, enums],
    [SECTIONS.scalars, scalars],
  ];
  const rootFieldHeading = (root: GraphQLObjectType, field: GraphQLField<unknown, unknown>) => `${root.name}.${field.name}`;

  // Anchors are handed out in the order of the headings, as GitHub does; every heading of the
  // page is known before any is written, so a link always points at its heading's anchor, even
  // when two headings would have the same one.
  const slug = slugger();
  slug('API reference');
  slug('Contents');
  const sectionAnchor = new Map<string, string>();
  const typeAnchor = new Map<string, string>();
  for (const [title, root] of rootSections) {
    sectionAnchor.set(title, slug(title));
    if (!root) continue;
    typeAnchor.set(root.name, sectionAnchor.get(title)!);
    for (const field of Object.values(root.getFields())) slug(rootFieldHeading(root, field));
  }
  for (const [title, types] of typeSections) {
    sectionAnchor.set(title, slug(title));
    for (const type of types) typeAnchor.set(type.name, slug(type.name));
  }
  sectionAnchor.set(SECTIONS.directives, slug(SECTIONS.directives));

  const link = (type: GraphQLNamedType) => {
    const anchor = typeAnchor.get(type.name);
    return anchor ? `[${type.name}](#${anchor})` : type.name;
  };
  /** A type reference with its links: `\[[Wallet](#wallet)!\]!`. */
  const typeRef = (type: GraphQLType): string => {
    if (isNonNullType(type)) return `${typeRef(type.ofType)}!`;
    if (isListType(type)) return `\\[${typeRef(type.ofType)}\\]`;
    return link(type);
  };
  const inputTypeCell = (item: GraphQLArgument | GraphQLInputField) => {
    const value = defaultValue(item);
    return value === undefined ? typeRef(item.type) : `${typeRef(item.type)}, default ${cell(code(value))}`;
  };
  const description = (text: string | null | undefined) => (text?.trim() ? cell(text) : NO_DESCRIPTION);
  const withDeprecation = (text: string, reason: string | null | undefined) => {
    const note = deprecation(reason);
    return note ? `${note}<br>${text}` : text;
  };
  const argumentLines = (args: readonly GraphQLArgument[]) =>
    args.map((arg) => `${code(arg.name)}: ${inputTypeCell(arg)} — ${withDeprecation(description(arg.description), arg.deprecationReason)}`);
  const argumentTable = (args: readonly GraphQLArgument[]) => [
    '| argument | type | description |',
    '| --- | --- | --- |',
    ...args.map(
      (arg) => `| ${code(arg.name)} | ${inputTypeCell(arg)} | ${withDeprecation(description(arg.description), arg.deprecationReason)} |`,
    ),
  ];
  const fieldTable = (fields: readonly GraphQLField<unknown, unknown>[]) => [
    '| field | type | description |',
    '| --- | --- | --- |',
    ...fields.map((field) => {
      let text = withDeprecation(description(field.description), field.deprecationReason);
      if (field.args.length > 0) text += `<br><br>**Arguments**<br>${argumentLines(field.args).join('<br>')}`;
      return `| ${code(field.name)} | ${typeRef(field.type)} | ${text} |`;
    }),
  ];
  const signature = (field: GraphQLField<unknown, unknown>) => {
    const args = field.args.map((arg) => {
      const value = defaultValue(arg);
      return `${arg.name}: ${String(arg.type)}${value === undefined ? '' : ` = ${value}`}`;
    });
    const oneLine = `${field.name}${args.length > 0 ? `(${args.join(', ')})` : ''}: ${String(field.type)}`;
    if (oneLine.length <= 80) return oneLine;
    return `${field.name}(\n${args.map((arg) => `  ${arg}`).join('\n')}\n): ${String(field.type)}`;
  };

  const out: string[] = [];
  const para = (...lines: string[]) => out.push(...lines, '');
  const sectionLink = (title: string) => `[${title}](#${sectionAnchor.get(title)})`;
  const rootFieldCount = (root: GraphQLObjectType | null | undefined) => (root ? Object.keys(root.getFields()).length : 0);
  const typeCount = typeSections.reduce((sum, [, types]) => sum + types.length, 0);
  const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

  para('# API reference');
  para(
    'Generated from `schema.graphql` by `npm run docs:api`: do not edit this file by hand; a test ' +
      '(test/docs/api-reference.test.ts) fails when it no longer matches the schema.',
  );
  para(
    `The schema has ${plural(typeCount, 'type', 'types')} besides its root types, ` +
      `${plural(rootFieldCount(query), 'query', 'queries')}, ${plural(rootFieldCount(mutation), 'mutation', 'mutations')} and ` +
      `${plural(rootFieldCount(subscription), 'subscription', 'subscriptions')}.`,
  );
  if (schema.description?.trim()) para(block(schema.description));
  para('## Contents');
  para(
    ...rootSections.map(([title, root]) => `- ${sectionLink(title)} (${rootFieldCount(root)})`),
    ...typeSections.map(
      ([title, types]) => `- ${sectionLink(title)}${types.length > 0 ? `: ${types.map((type) => link(type)).join(', ')}` : ' (none)'}`,
    ),
    `- ${sectionLink(SECTIONS.directives)}${directives.length > 0 ? `: ${directives.map((d) => code(`@${d.name}`)).join(', ')}` : ' (none)'}`,
  );

  for (const [title, root, kind] of rootSections) {
    para(`## ${title}`);
    if (!root) {
      para(`The schema has no ${kind} type.`);
      continue;
    }
    if (root.description?.trim()) para(block(root.description));
    for (const field of Object.values(root.getFields())) {
      para(`### ${rootFieldHeading(root, field)}`);
      const note = deprecation(field.deprecationReason);
      if (note) para(`> ${note}`);
      para(block(field.description));
      para('```graphql', signature(field), '```');
      para(`**Returns** ${typeRef(field.type)}`);
      if (field.args.length > 0) para(...argumentTable(field.args));
    }
  }

  para(`## ${SECTIONS.objects}`);
  if (objects.length === 0) para('None.');
  for (const type of objects) {
    para(`### ${type.name}`);
    para(block(type.description));
    const implemented = type.getInterfaces();
    if (implemented.length > 0) para(`Implements ${[...implemented].sort(byName).map(link).join(', ')}.`);
    para(...fieldTable(Object.values(type.getFields())));
  }

  para(`## ${SECTIONS.inputs}`);
  if (inputs.length === 0) para('None.');
  for (const type of inputs) {
    para(`### ${type.name}`);
    para(block(type.description));
    if (type.isOneOf) para('Exactly one of its fields must be given (`@oneOf`).');
    para(
      '| field | type | description |',
      '| --- | --- | --- |',
      ...Object.values(type.getFields()).map(
        (field) =>
          `| ${code(field.name)} | ${inputTypeCell(field)} | ${withDeprecation(description(field.description), field.deprecationReason)} |`,
      ),
    );
  }

  para(`## ${SECTIONS.interfaces}`);
  if (interfaces.length === 0) para('None.');
  for (const type of interfaces) {
    para(`### ${type.name}`);
    para(block(type.description));
    const implemented = type.getInterfaces();
    if (implemented.length > 0) para(`Implements ${[...implemented].sort(byName).map(link).join(', ')}.`);
    const { objects: byObjects, interfaces: byInterfaces } = schema.getImplementations(type);
    const implementers = [...byObjects, ...byInterfaces].sort(byName);
    para(implementers.length > 0 ? `Implemented by ${implementers.map(link).join(', ')}.` : 'Implemented by no type yet.');
    para(...fieldTable(Object.values(type.getFields())));
  }

  para(`## ${SECTIONS.unions}`);
  if (unions.length === 0) para('None.');
  for (const type of unions) {
    para(`### ${type.name}`);
    para(block(type.description));
    para(`One of ${[...type.getTypes()].sort(byName).map(link).join(', ')}.`);
  }

  para(`## ${SECTIONS.enums}`);
  if (enums.length === 0) para('None.');
  for (const type of enums) {
    para(`### ${type.name}`);
    para(block(type.description));
    para(
      '| value | description |',
      '| --- | --- |',
      ...type
        .getValues()
        .map((value) => `| ${code(value.name)} | ${withDeprecation(description(value.description), value.deprecationReason)} |`),
    );
  }

  para(`## ${SECTIONS.scalars}`);
  para(
    `Built in, not listed here: ${[...specifiedScalarTypes]
      .sort(byName)
      .map((type) => code(type.name))
      .join(', ')}.`,
  );
  for (const type of scalars) {
    para(`### ${type.name}`);
    para(block(type.description));
    if (type.specifiedByURL) para(`Specified by <${type.specifiedByURL}>.`);
  }

  para(`## ${SECTIONS.directives}`);
  para(
    `Built in, not listed here: ${[...specifiedDirectives]
      .sort(byName)
      .map((directive) => code(`@${directive.name}`))
      .join(', ')}.`,
  );
  for (const directive of directives) {
    para(`### @${directive.name}`);
    para(block(directive.description));
    para(`${directive.isRepeatable ? 'Repeatable, on' : 'On'} ${directive.locations.map((location) => code(location)).join(', ')}.`);
    if (directive.args.length > 0) para(...argumentTable(directive.args));
  }

  return `${out.join('\n').trimEnd()}\n`;
}

/** True when this file is the program Node runs, not a module a test imports. */
function isMain(): boolean {
  const entry = process.argv[1];
  if (!entry) return false;
  try {
    return realpathSync(entry) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

async function main(args: string[]): Promise<number> {
  const unknown = args.filter((arg) => arg !== '--check');
  if (unknown.length > 0) {
    console.error(`unknown arguments: ${unknown.join(' ')} (usage: node dist/scripts/api-reference.js [--check])`);
    return 2;
  }
  // Run from dist/scripts/, two folders below the repository's root.
  const root = new URL('../../', import.meta.url);
  const target = new URL('docs/api-reference.md', root);
  const markdown = renderApiReference(await readFile(new URL('schema.graphql', root), 'utf8'));
  if (args.includes('--check')) {
    const committed = await readFile(target, 'utf8').catch(() => undefined);
    if (committed !== markdown) {
      console.error('docs/api-reference.md is stale: run npm run docs:api');
      return 1;
    }
    console.log('docs/api-reference.md is up to date');
    return 0;
  }
  await writeFile(target, markdown);
  console.log(`docs/api-reference.md written (${markdown.split('\n').length - 1} lines)`);
  return 0;
}

if (isMain()) process.exitCode = await main(process.argv.slice(2));
