import type pg from "pg";
import { z } from "zod";
import { relationAccessMethod } from "../../sql/catalog-variants.js";
import type { ReplicaIdentity, Sequence, Table } from "../model.js";
import { NOT_EXTENSION_MEMBER, num, oid, queryRows, text, textArray, textOrNull } from "../rows.js";
import { type ColumnRow, parseColumn } from "./columns.js";

// Ordinary and partitioned tables, partitions and inheritance children. A partition is created
// with PARTITION OF its parent; an inheritance child with INHERITS. relreplident: d default (the
// primary key), n nothing, f full, i the index marked indisreplident.
const sql = (major: number) => `
SELECT c.oid, n.nspname AS schema, c.relname AS name, c.relkind::text AS kind, c.relpersistence::text AS persistence,
       coalesce(c.reloptions, '{}')::text[] AS options,
       coalesce((SELECT t.reloptions FROM pg_catalog.pg_class t WHERE t.oid = c.reltoastrelid), '{}')::text[] AS toast_options,
       ${relationAccessMethod(major, "c")} AS access_method,
       CASE WHEN c.reloftype <> 0 THEN pg_catalog.format_type(c.reloftype, NULL) END AS of_type,
       pg_catalog.pg_table_size(c.oid) AS bytes,
       c.reltuples::float8 AS estimated_rows,
       CASE WHEN c.relkind = 'p' THEN pg_catalog.pg_get_partkeydef(c.oid) END AS partition_key,
       CASE WHEN c.relispartition THEN pg_catalog.pg_get_expr(c.relpartbound, c.oid) END AS partition_bound,
       coalesce((SELECT json_agg(json_build_object('schema', pn.nspname, 'name', p.relname) ORDER BY i.inhseqno)
                 FROM pg_catalog.pg_inherits i JOIN pg_catalog.pg_class p ON p.oid = i.inhparent
                 JOIN pg_catalog.pg_namespace pn ON pn.oid = p.relnamespace WHERE i.inhrelid = c.oid), '[]') AS parents,
       c.relispartition AS is_partition, c.relrowsecurity AS row_security, c.relforcerowsecurity AS force_row_security,
       c.relreplident::text AS replica_identity,
       (SELECT ic.relname FROM pg_catalog.pg_index ix JOIN pg_catalog.pg_class ic ON ic.oid = ix.indexrelid
         WHERE ix.indrelid = c.oid AND ix.indisreplident) AS replica_index,
       (SELECT ic.relname FROM pg_catalog.pg_index ix JOIN pg_catalog.pg_class ic ON ic.oid = ix.indexrelid
         WHERE ix.indrelid = c.oid AND ix.indisclustered) AS cluster_index
FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p') AND c.relnamespace = ANY($1::oid[])
  AND ${NOT_EXTENSION_MEMBER("pg_catalog.pg_class", "c.oid")}
ORDER BY n.nspname, c.relname`;

export const TableRow = z.object({
  oid,
  schema: text,
  name: text,
  kind: z.enum(["r", "p"]),
  persistence: z.enum(["p", "u", "t"]),
  options: textArray,
  bytes: num,
  estimated_rows: num,
  partition_key: textOrNull,
  partition_bound: textOrNull,
  parents: z.array(z.object({ schema: text, name: text })),
  is_partition: z.boolean(),
  row_security: z.boolean(),
  force_row_security: z.boolean(),
  // Defaults: what a table has unless it was changed (rows built by hand may leave them out).
  toast_options: textArray.default([]),
  access_method: textOrNull.default(null),
  of_type: textOrNull.default(null),
  replica_identity: z.enum(["d", "n", "f", "i"]).default("d"),
  replica_index: textOrNull.default(null),
  cluster_index: textOrNull.default(null),
});
export type TableRow = z.infer<typeof TableRow>;

export async function readTables(
  client: pg.Client,
  schemaOids: readonly number[],
  major: number,
): Promise<TableRow[]> {
  return queryRows(client, "tables", sql(major), [schemaOids], TableRow);
}

function replicaIdentity(t: TableRow): ReplicaIdentity | undefined {
  if (t.replica_identity === "n") return { kind: "nothing" };
  if (t.replica_identity === "f") return { kind: "full" };
  if (t.replica_identity === "i" && t.replica_index !== null)
    return { kind: "index", index: t.replica_index };
  return undefined;
}

export function parseTable(
  t: TableRow,
  columns: readonly ColumnRow[],
  sequences: ReadonlyMap<number, Sequence>,
): Table {
  const all = columns.map((c) => parseColumn(t, c, sequences));
  const parent = t.parents[0];
  const replica = replicaIdentity(t);
  return {
    oid: t.oid,
    schema: t.schema,
    name: t.name,
    persistence: t.persistence === "u" ? "unlogged" : "permanent",
    options: t.options,
    bytes: t.bytes,
    estimatedRows: Math.max(0, t.estimated_rows),
    allColumns: all,
    columns: all.filter((_c, i) => columns[i]?.is_local),
    inherits: t.is_partition ? [] : t.parents,
    rowSecurity: t.row_security,
    forceRowSecurity: t.force_row_security,
    ...(t.toast_options.length > 0 ? { toastOptions: t.toast_options } : {}),
    ...(t.access_method !== null ? { accessMethod: t.access_method } : {}),
    ...(t.of_type !== null ? { ofType: t.of_type } : {}),
    ...(t.partition_key !== null ? { partitionKey: t.partition_key } : {}),
    ...(t.is_partition && parent && t.partition_bound !== null
      ? { partitionOf: { parent, bound: t.partition_bound } }
      : {}),
    ...(replica ? { replicaIdentity: replica } : {}),
    ...(t.cluster_index !== null ? { clusterOn: t.cluster_index } : {}),
  };
}
