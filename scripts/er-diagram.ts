import 'reflect-metadata';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { MikroORM } from '@mikro-orm/postgresql';
import pg from 'pg';
import { withCliDatabase } from '../src/cli/cli-database.js';
import { loadConfig } from '../src/config/config.js';
import { migrate, openOrm, sideConnection } from '../src/db/orm.js';

/**
 * `npm run docs:er`: the entity-relationship diagram of the database, docs/diagrams/er.mmd
 * (Mermaid), generated from what the migrations build, not from the MikroORM entities: most
 * tables are created by raw-SQL migrations and have no entity (src/domain/entities.ts lists a
 * few). A fresh database is migrated with the server's own migration code, its catalog
 * (pg_catalog) is read and the database dropped again. `--check` only compares: exit 1 when the
 * committed diagram is stale. test/docs/er-diagram.test.ts keeps it fresh.
 *
 * The migrations go to a temporary database `er_diagram_<pid>` on the PostgreSQL of
 * DATABASE_URL (its user must be allowed to create databases), or on the embedded PostgreSQL
 * `npm run migrate` would use when DATABASE_URL is not set.
 *
 * MikroORM's own table (`mikro_orm_migrations`, the list of applied migrations) is left out of
 * the diagram: it is bookkeeping, not the application's data.
 */

/** Where the diagram lives, from the repository's root. */
export const ER_DIAGRAM_PATH = 'docs/diagrams/er.mmd';

/** Tables of schema public that the diagram leaves out. */
export const EXCLUDED_TABLES: readonly string[] = ['mikro_orm_migrations'];

export interface CatalogColumn {
  name: string;
  /** PostgreSQL's own spelling (format_type): `timestamp with time zone`, `numeric(20,0)`, `text[]`; udt names (`_text`, `int4`) are understood too. */
  type: string;
  nullable: boolean;
  /** Part of the primary key. */
  pk: boolean;
  /** Part of a foreign key (the diagram also marks every column of `foreignKeys`). */
  fk?: boolean;
  /** Unique on its own (a single-column unique constraint or unique index, without a WHERE). */
  unique?: boolean;
}

export interface CatalogTable {
  name: string;
  /** In ordinal position. */
  columns: CatalogColumn[];
  /** Unique keys of two or more columns (constraints or unique indexes without a WHERE), each in key order. */
  uniqueKeys?: string[][];
}

export interface CatalogForeignKey {
  table: string;
  columns: string[];
  refTable: string;
  refColumns: string[];
}

export interface Catalog {
  tables: CatalogTable[];
  foreignKeys: CatalogForeignKey[];
}

/** Code-unit order: the same on every machine, whatever PostgreSQL's collation. */
const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

const LONG_TYPE_NAMES: Record<string, string> = {
  'timestamp with time zone': 'timestamptz',
  'timestamp without time zone': 'timestamp',
  'time with time zone': 'timetz',
  'time without time zone': 'time',
  'character varying': 'varchar',
  character: 'char',
  bpchar: 'char',
  'bit varying': 'varbit',
  'double precision': 'float8',
  int2: 'smallint',
  int4: 'integer',
  int8: 'bigint',
  bool: 'boolean',
};

/**
 * A PostgreSQL type as one Mermaid word ([A-Za-z_][A-Za-z0-9_]*): modifiers dropped
 * (`numeric(20,0)` → `numeric`), long names shortened (`timestamp with time zone` →
 * `timestamptz`), arrays spelt `<element>_array` (`text[]`, `_text` → `text_array`).
 */
export function mermaidType(pgType: string): string {
  let type = pgType.trim().replace(/"/g, '');
  let array = false;
  if (type.endsWith('[]')) {
    array = true;
    type = type.replace(/(\[\])+$/, '');
  } else if (type.startsWith('_')) {
    array = true;
    type = type.slice(1);
  }
  type = type
    .replace(/\([^)]*\)/g, '')
    .replace(/\s+/g, ' ')
    .trim()
    .toLowerCase();
  // A type of another schema (`audit.level`): its own name.
  type = type.slice(type.lastIndexOf('.') + 1);
  type = LONG_TYPE_NAMES[type] ?? type;
  type = type.replace(/[^a-z0-9_]+/g, '_').replace(/^_+|_+$/g, '') || 'unknown';
  if (!/^[a-z_]/.test(type)) type = `t_${type}`;
  return array ? `${type}_array` : type;
}

/** A table or column name as Mermaid reads it: [A-Za-z0-9_-] only. */
function word(name: string): string {
  return name.replace(/[^A-Za-z0-9_-]/g, '_');
}

/**
 * Mermaid's lexer (case-insensitive, first rule wins) reads these at the start of a bare entity
 * name as keywords (`tokens` would start with `to`), and a digit as a number: such names are quoted.
 */
const KEYWORD_START = /^(to|one|many|zero|only|class|style|subgraph|end\b|u[.|-]|[0-9])/i;

function entity(name: string): string {
  const safe = word(name);
  return KEYWORD_START.test(safe) ? `"${safe}"` : safe;
}

/** Text inside a Mermaid string: no double quotes. */
function quoted(text: string): string {
  return `"${text.replace(/"/g, "'")}"`;
}

const sameSet = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x) => b.includes(x));

/**
 * The Mermaid `erDiagram` source of `catalog`, header comment included; the same text for the
 * same catalog, whatever the order of its tables and keys (tables and relationships sorted,
 * columns in the order given).
 *
 * A foreign key child.cols → parent is drawn `parent A--B child : "cols"`: A is `||` (each child
 * row has exactly one parent) or `|o` when a column of the key is nullable; B is `o{` (a parent
 * has any number of children) or `o|` when the key's columns are unique in the child (the
 * primary key or a unique key is among them): one-to-one.
 */
export function renderErDiagram(catalog: Catalog): string {
  const tables = [...catalog.tables].sort((a, b) => byText(a.name, b.name));
  const tableByName = new Map(tables.map((t) => [t.name, t]));
  const fkColumns = new Set(catalog.foreignKeys.flatMap((fk) => fk.columns.map((c) => `${fk.table}.${c}`)));
  const lines = [
    '%% Generated by `npm run docs:er` (scripts/er-diagram.ts) from the migrations in src/migrations: do not edit by hand.',
    `%% Every table of schema public once all migrations ran, except ${EXCLUDED_TABLES.join(', ')} (MikroORM's list of applied migrations).`,
    '%% A relationship is a foreign key, labelled with its columns: `||` the row it references is required, `|o` optional (nullable);',
    '%% `o{` many rows may reference one, `o|` at most one (the key is unique). Comments: "nullable", and unique keys of several columns.',
    'erDiagram',
  ];
  for (const table of tables) {
    if (table.columns.length === 0) {
      lines.push(`  ${entity(table.name)}`);
      continue;
    }
    lines.push(`  ${entity(table.name)} {`);
    const composite = (table.uniqueKeys ?? []).filter((k) => k.length > 1);
    for (const column of table.columns) {
      const keys = [
        column.pk ? 'PK' : undefined,
        column.fk || fkColumns.has(`${table.name}.${column.name}`) ? 'FK' : undefined,
        column.unique ? 'UK' : undefined,
      ].filter((k) => k !== undefined);
      const notes = [
        column.nullable ? 'nullable' : undefined,
        ...composite.filter((k) => k.includes(column.name)).map((k) => `unique (${k.join(', ')})`),
      ].filter((n) => n !== undefined);
      let line = `    ${mermaidType(column.type)} ${word(column.name)}`;
      if (keys.length > 0) line += ` ${keys.join(', ')}`;
      if (notes.length > 0) line += ` ${quoted(notes.join('; '))}`;
      lines.push(line);
    }
    lines.push('  }');
  }
  const relationships = catalog.foreignKeys.map((fk) => {
    const child = tableByName.get(fk.table);
    const columns = fk.columns.map((name) => child?.columns.find((c) => c.name === name));
    const optional = columns.some((c) => c === undefined || c.nullable);
    const pk = child?.columns.filter((c) => c.pk).map((c) => c.name) ?? [];
    const keys = [
      ...(pk.length > 0 ? [pk] : []),
      ...(child?.uniqueKeys ?? []),
      ...(child?.columns.filter((c) => c.unique).map((c) => [c.name]) ?? []),
    ];
    const unique = keys.some((key) => key.length > 0 && key.every((c) => fk.columns.includes(c)));
    return {
      parent: fk.refTable,
      child: fk.table,
      label: fk.columns.map(word).join(', '),
      text: `  ${entity(fk.refTable)} ${optional ? '|o' : '||'}--${unique ? 'o|' : 'o{'} ${entity(fk.table)} : ${quoted(fk.columns.map(word).join(', '))}`,
    };
  });
  relationships.sort(
    (a, b) => byText(a.parent, b.parent) || byText(a.child, b.child) || byText(a.label, b.label) || byText(a.text, b.text),
  );
  if (relationships.length > 0) lines.push('');
  for (const r of relationships) lines.push(r.text);
  return `${lines.join('\n')}\n`;
}

export interface ReadCatalogOptions {
  /** `public` unless told. */
  schema?: string;
  /** EXCLUDED_TABLES unless told ([] keeps mikro_orm_migrations). */
  exclude?: readonly string[];
}

/**
 * The tables of one schema (plain and partitioned) as the catalog says: columns in ordinal
 * position with PostgreSQL's type names (format_type) and nullability, primary keys, foreign
 * keys, and unique keys (unique constraints and unique indexes on plain columns; partial unique
 * indexes, those with a WHERE, are not keys of the whole table and are left out). Read from
 * pg_catalog; `source` is a connected client or a connection string.
 */
export async function readCatalog(source: pg.ClientBase | string, options: ReadCatalogOptions = {}): Promise<Catalog> {
  const schema = options.schema ?? 'public';
  const excluded = new Set(options.exclude ?? EXCLUDED_TABLES);
  const own = typeof source === 'string' ? new pg.Client({ connectionString: source }) : undefined;
  const db = own ?? (source as pg.ClientBase);
  if (own) await own.connect();
  try {
    const { rows: columnRows } = await db.query<{ table: string; column: string | null; type: string | null; nullable: boolean | null }>(
      `select c.relname as "table", a.attname as "column", format_type(a.atttypid, a.atttypmod) as "type", not a.attnotnull as "nullable"
         from pg_class c
         join pg_namespace n on n.oid = c.relnamespace
         left join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
        where n.nspname = $1 and c.relkind in ('r', 'p')
        order by c.relname, a.attnum`,
      [schema],
    );
    // Column names of a key, in the key's order.
    const keyColumns = (rel: string, keys: string) =>
      `array(select a.attname::text from unnest(${keys}) with ordinality as u(attnum, ord)
               join pg_attribute a on a.attrelid = ${rel} and a.attnum = u.attnum order by u.ord)`;
    const { rows: constraintRows } = await db.query<{
      table: string;
      kind: 'p' | 'f';
      columns: string[];
      ref_schema: string | null;
      ref_table: string | null;
      ref_columns: string[] | null;
    }>(
      `select c.relname as "table", k.contype as "kind", ${keyColumns('k.conrelid', 'k.conkey')} as "columns",
              rn.nspname as "ref_schema", r.relname as "ref_table",
              case when k.contype = 'f' then ${keyColumns('k.confrelid', 'k.confkey')} end as "ref_columns"
         from pg_constraint k
         join pg_class c on c.oid = k.conrelid
         join pg_namespace n on n.oid = c.relnamespace
         left join pg_class r on r.oid = k.confrelid
         left join pg_namespace rn on rn.oid = r.relnamespace
        where n.nspname = $1 and k.contype in ('p', 'f')`,
      [schema],
    );
    const { rows: uniqueRows } = await db.query<{ table: string; columns: string[] }>(
      `select c.relname as "table",
              array(select a.attname::text from unnest(i.indkey::int2[]) with ordinality as k(attnum, ord)
                      join pg_attribute a on a.attrelid = i.indrelid and a.attnum = k.attnum
                     where k.ord <= i.indnkeyatts order by k.ord) as "columns"
         from pg_index i
         join pg_class c on c.oid = i.indrelid
         join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = $1 and i.indisunique and not i.indisprimary and i.indpred is null and i.indexprs is null`,
      [schema],
    );

    const tables = new Map<string, CatalogTable>();
    for (const row of columnRows) {
      if (excluded.has(row.table)) continue;
      let table = tables.get(row.table);
      if (!table) tables.set(row.table, (table = { name: row.table, columns: [], uniqueKeys: [] }));
      if (row.column !== null)
        table.columns.push({ name: row.column, type: row.type ?? 'unknown', nullable: row.nullable ?? true, pk: false });
    }
    const column = (table: string, name: string) => tables.get(table)?.columns.find((c) => c.name === name);
    const foreignKeys: CatalogForeignKey[] = [];
    for (const row of constraintRows) {
      if (!tables.has(row.table)) continue;
      if (row.kind === 'p') {
        for (const name of row.columns) column(row.table, name)!.pk = true;
      } else if (row.ref_table !== null && row.ref_schema === schema && !excluded.has(row.ref_table)) {
        for (const name of row.columns) column(row.table, name)!.fk = true;
        foreignKeys.push({ table: row.table, columns: row.columns, refTable: row.ref_table, refColumns: row.ref_columns ?? [] });
      }
    }
    for (const row of uniqueRows) {
      const table = tables.get(row.table);
      if (!table || row.columns.length === 0) continue;
      if (row.columns.length === 1) column(row.table, row.columns[0])!.unique = true;
      else if (!table.uniqueKeys!.some((k) => sameSet(k, row.columns))) table.uniqueKeys!.push(row.columns);
    }
    for (const table of tables.values()) {
      table.uniqueKeys!.sort((a, b) => byText(a.join(','), b.join(',')));
      for (const c of table.columns) {
        c.fk ??= false;
        c.unique ??= false;
      }
    }
    foreignKeys.sort(
      (a, b) =>
        byText(a.table, b.table) ||
        byText(a.columns.join(','), b.columns.join(',')) ||
        byText(a.refTable, b.refTable) ||
        byText(a.refColumns.join(','), b.refColumns.join(',')),
    );
    return { tables: [...tables.values()].sort((a, b) => byText(a.name, b.name)), foreignKeys };
  } finally {
    await own?.end();
  }
}

/**
 * Migrates a new database `er_diagram_<pid>` beside the one at `url` (whose ORM `orm` is) with
 * the server's own migration code, reads its catalog and drops it again.
 */
export async function catalogOfMigrations(orm: MikroORM, url: string, sslCa?: string): Promise<Catalog> {
  const name = `er_diagram_${process.pid}`;
  const admin = new pg.Client(sideConnection(orm, url));
  await admin.connect();
  try {
    await admin.query(`drop database if exists "${name}" with (force)`);
    await admin.query(`create database "${name}"`);
    try {
      const target = new URL(url);
      target.pathname = `/${name}`;
      const migrated = await openOrm(target.toString(), 2, sslCa);
      try {
        await migrate(migrated, target.toString());
        const db = new pg.Client(sideConnection(migrated, target.toString()));
        await db.connect();
        try {
          return await readCatalog(db);
        } finally {
          await db.end();
        }
      } finally {
        await migrated.close(true);
      }
    } finally {
      await admin.query(`drop database if exists "${name}" with (force)`);
    }
  } finally {
    await admin.end();
  }
}

async function main(): Promise<void> {
  const check = process.argv.includes('--check');
  // From dist/scripts/ (where `npm run docs:er` runs it) to the repository's root.
  const file = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..', ER_DIAGRAM_PATH);
  const config = loadConfig();
  const catalog = await withCliDatabase(config, (orm, url) =>
    catalogOfMigrations(orm, url, config.database.url ? config.database.sslCa : undefined),
  );
  const text = renderErDiagram(catalog);
  if (check) {
    const committed = await readFile(file, 'utf8').catch(() => undefined);
    if (committed !== text) {
      console.error(`${ER_DIAGRAM_PATH} is not what the migrations build: run \`npm run docs:er\``);
      process.exitCode = 1;
      return;
    }
    console.log(`${ER_DIAGRAM_PATH} is up to date (${catalog.tables.length} tables, ${catalog.foreignKeys.length} foreign keys)`);
    return;
  }
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, text);
  console.log(`${ER_DIAGRAM_PATH} written (${catalog.tables.length} tables, ${catalog.foreignKeys.length} foreign keys)`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err: Error) => {
    console.error(err.message);
    process.exit(1);
  });
}
