import type pg from "pg";
import { z } from "zod";
import { int, oid, queryRows, text, textArray, textOrNull } from "../db/rows.js";

/**
 * What masking and subsets need from the source's catalog beyond the model: each column's base
 * type and length, the columns of every foreign key, unique index and check constraint, and the
 * partition keys. Plain SQL, one query per kind, rows validated at the boundary; run inside the
 * run's snapshot (the catalog is read as of the same moment as the data).
 */

export interface ColumnFacts {
  readonly tableOid: number;
  readonly name: string;
  /** pg_type.typcategory of the base type (a domain's base): "S" string, "D" date/time, "A" array... */
  readonly category: string;
  /** The base type's name (pg_catalog types: "text", "date", "timestamptz", ...). */
  readonly baseType: string;
  readonly baseTypeSchema: string;
  /** The declared length of a varchar(n) or char(n) (a domain's too); undefined when unlimited. */
  readonly maxLength?: number;
}

const ColumnRow = z.object({
  table_oid: oid,
  name: text,
  category: text,
  base_type: text,
  base_schema: text,
  max_length: int.nullable(),
});

// A domain's length is its own typtypmod; a domain over a domain is followed to its base type.
const COLUMNS = `
WITH RECURSIVE chain AS (
  SELECT a.attrelid, a.attnum, a.attname, a.atttypid AS type_oid, a.atttypmod AS typmod, 0 AS depth
  FROM pg_catalog.pg_attribute a
  WHERE a.attrelid = ANY($1::oid[]) AND a.attnum > 0 AND NOT a.attisdropped
  UNION ALL
  SELECT c.attrelid, c.attnum, c.attname, t.typbasetype,
         CASE WHEN c.typmod >= 0 THEN c.typmod ELSE t.typtypmod END, c.depth + 1
  FROM chain c JOIN pg_catalog.pg_type t ON t.oid = c.type_oid
  WHERE t.typtype = 'd' AND c.depth < 32
)
SELECT c.attrelid AS table_oid, c.attname AS name, t.typcategory::text AS category,
       t.typname AS base_type, n.nspname AS base_schema,
       CASE WHEN t.oid IN ('pg_catalog.varchar'::pg_catalog.regtype, 'pg_catalog.bpchar'::pg_catalog.regtype)
                 AND c.typmod > 4 THEN c.typmod - 4 END AS max_length
FROM chain c
JOIN pg_catalog.pg_type t ON t.oid = c.type_oid
JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
WHERE t.typtype <> 'd'
ORDER BY c.attrelid, c.attnum`;

export async function readColumnFacts(
  client: pg.Client,
  tableOids: readonly number[],
): Promise<ColumnFacts[]> {
  const rows = await queryRows(client, "masking: column types", COLUMNS, [tableOids], ColumnRow);
  return rows.map((r) => ({
    tableOid: r.table_oid,
    name: r.name,
    category: r.category,
    baseType: r.base_type,
    baseTypeSchema: r.base_schema,
    ...(r.max_length === null ? {} : { maxLength: r.max_length }),
  }));
}

export interface ForeignKeyColumns {
  readonly name: string;
  readonly tableOid: number;
  readonly referencedTableOid: number;
  /** Pairwise: columns[i] references referencedColumns[i]. */
  readonly columns: readonly string[];
  readonly referencedColumns: readonly string[];
}

const ForeignKeyRow = z.object({
  name: text,
  table_oid: oid,
  referenced_oid: oid,
  columns: textArray,
  referenced_columns: textArray,
});

// A partition's copies of its parent's foreign key (conparentid) and the rows a foreign key to a
// partitioned table adds for each referenced partition are left out: the top-level one stands for them.
const FOREIGN_KEYS = `
SELECT c.conname AS name, c.conrelid AS table_oid, c.confrelid AS referenced_oid,
       ARRAY(SELECT a.attname FROM pg_catalog.unnest(c.conkey) WITH ORDINALITY AS k(num, i)
             JOIN pg_catalog.pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.num ORDER BY k.i)::text[] AS columns,
       ARRAY(SELECT a.attname FROM pg_catalog.unnest(c.confkey) WITH ORDINALITY AS k(num, i)
             JOIN pg_catalog.pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.num ORDER BY k.i)::text[] AS referenced_columns
FROM pg_catalog.pg_constraint c
WHERE c.contype = 'f' AND c.conparentid = 0 AND c.conrelid = ANY($1::oid[]) AND c.confrelid = ANY($1::oid[])
ORDER BY c.conrelid, c.conname`;

export async function readForeignKeyColumns(
  client: pg.Client,
  tableOids: readonly number[],
): Promise<ForeignKeyColumns[]> {
  const rows = await queryRows(client, "masking: foreign keys", FOREIGN_KEYS, [tableOids], ForeignKeyRow);
  return rows.map((r) => ({
    name: r.name,
    tableOid: r.table_oid,
    referencedTableOid: r.referenced_oid,
    columns: r.columns,
    referencedColumns: r.referenced_columns,
  }));
}

export interface KeyColumns {
  readonly tableOid: number;
  /** The index (unique) or constraint (check) name, as the server's errors name it. */
  readonly name: string;
  readonly kind: "primary key" | "unique" | "check";
  readonly columns: readonly string[];
}

const KeyRow = z.object({
  table_oid: oid,
  name: text,
  kind: z.enum(["primary key", "unique", "check"]),
  columns: textArray,
});

// Unique indexes (those of primary key and unique constraints among them), with the plain columns
// they cover (an expression's columns are not listed); check constraints with the columns they read.
const KEYS = `
SELECT i.indrelid AS table_oid, ic.relname AS name,
       CASE WHEN i.indisprimary THEN 'primary key' ELSE 'unique' END AS kind,
       ARRAY(SELECT a.attname FROM pg_catalog.unnest(i.indkey::int2[]) WITH ORDINALITY AS k(num, n)
             JOIN pg_catalog.pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.num ORDER BY k.n)::text[] AS columns
FROM pg_catalog.pg_index i JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid
WHERE i.indisunique AND i.indrelid = ANY($1::oid[])
UNION ALL
SELECT co.conrelid, co.conname, 'check',
       ARRAY(SELECT a.attname FROM pg_catalog.unnest(co.conkey) AS k(num)
             JOIN pg_catalog.pg_attribute a ON a.attrelid = co.conrelid AND a.attnum = k.num ORDER BY a.attnum)::text[]
FROM pg_catalog.pg_constraint co
WHERE co.contype = 'c' AND co.conrelid = ANY($1::oid[])
ORDER BY 1, 2`;

export async function readKeyColumns(client: pg.Client, tableOids: readonly number[]): Promise<KeyColumns[]> {
  const rows = await queryRows(client, "masking: keys and checks", KEYS, [tableOids], KeyRow);
  return rows.map((r) => ({ tableOid: r.table_oid, name: r.name, kind: r.kind, columns: r.columns }));
}

export interface PartitionKey {
  readonly tableOid: number;
  /** Plain key columns. */
  readonly columns: readonly string[];
  /** The key's expressions (pg_get_expr), whose columns count as key columns too. */
  readonly expressions?: string;
}

const PartitionKeyRow = z.object({ table_oid: oid, columns: textArray, expressions: textOrNull });

const PARTITION_KEYS = `
SELECT p.partrelid AS table_oid,
       ARRAY(SELECT a.attname FROM pg_catalog.unnest(p.partattrs::int2[]) WITH ORDINALITY AS k(num, n)
             JOIN pg_catalog.pg_attribute a ON a.attrelid = p.partrelid AND a.attnum = k.num ORDER BY k.n)::text[] AS columns,
       pg_catalog.pg_get_expr(p.partexprs, p.partrelid) AS expressions
FROM pg_catalog.pg_partitioned_table p
WHERE p.partrelid = ANY($1::oid[])`;

export async function readPartitionKeys(
  client: pg.Client,
  tableOids: readonly number[],
): Promise<PartitionKey[]> {
  const rows = await queryRows(
    client,
    "masking: partition keys",
    PARTITION_KEYS,
    [tableOids],
    PartitionKeyRow,
  );
  return rows.map((r) => ({
    tableOid: r.table_oid,
    columns: r.columns,
    ...(r.expressions === null ? {} : { expressions: r.expressions }),
  }));
}

/** Everything above, for the tables of a run. */
export interface MaskCatalog {
  readonly columns: readonly ColumnFacts[];
  readonly foreignKeys: readonly ForeignKeyColumns[];
  readonly keys: readonly KeyColumns[];
  readonly partitionKeys: readonly PartitionKey[];
}

export async function readMaskCatalog(client: pg.Client, tableOids: readonly number[]): Promise<MaskCatalog> {
  return {
    columns: await readColumnFacts(client, tableOids),
    foreignKeys: await readForeignKeyColumns(client, tableOids),
    keys: await readKeyColumns(client, tableOids),
    partitionKeys: await readPartitionKeys(client, tableOids),
  };
}
