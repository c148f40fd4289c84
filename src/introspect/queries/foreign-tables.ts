import type pg from "pg";
import { z } from "zod";
import type { ForeignDataWrapper, ForeignServer, ForeignTable } from "../model.js";
import { NOT_EXTENSION_MEMBER, oid, queryRows, text, textArray, textOrNull } from "../rows.js";
import { type ColumnRow, parseColumn } from "./columns.js";

// Foreign tables: their server, table options, column options (attfdwoptions), and the parent and
// bound of a foreign partition or the parents of an inheritance child. Options are "name=value".
const TABLES_SQL = `
SELECT c.oid, n.nspname AS schema, c.relname AS name, s.srvname AS server,
       coalesce(ft.ftoptions, '{}')::text[] AS options,
       coalesce((SELECT json_agg(json_build_object('column', a.attname, 'options', a.attfdwoptions) ORDER BY a.attnum)
                 FROM pg_catalog.pg_attribute a
                 WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped AND a.attfdwoptions IS NOT NULL), '[]') AS column_options,
       CASE WHEN c.relispartition THEN pg_catalog.pg_get_expr(c.relpartbound, c.oid) END AS partition_bound,
       coalesce((SELECT json_agg(json_build_object('schema', pn.nspname, 'name', p.relname) ORDER BY i.inhseqno)
                 FROM pg_catalog.pg_inherits i JOIN pg_catalog.pg_class p ON p.oid = i.inhparent
                 JOIN pg_catalog.pg_namespace pn ON pn.oid = p.relnamespace WHERE i.inhrelid = c.oid), '[]') AS parents,
       c.relispartition AS is_partition
FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
JOIN pg_catalog.pg_foreign_table ft ON ft.ftrelid = c.oid
JOIN pg_catalog.pg_foreign_server s ON s.oid = ft.ftserver
WHERE c.relkind = 'f' AND c.relnamespace = ANY($1::oid[])
  AND ${NOT_EXTENSION_MEMBER("pg_catalog.pg_class", "c.oid")}
ORDER BY n.nspname, c.relname`;

export const ForeignTableRow = z.object({
  oid,
  schema: text,
  name: text,
  server: text,
  options: textArray,
  column_options: z.array(z.object({ column: text, options: textArray })),
  partition_bound: textOrNull,
  parents: z.array(z.object({ schema: text, name: text })),
  is_partition: z.boolean(),
});
export type ForeignTableRow = z.infer<typeof ForeignTableRow>;

export function readForeignTables(
  client: pg.Client,
  schemaOids: readonly number[],
): Promise<ForeignTableRow[]> {
  return queryRows(client, "foreign tables", TABLES_SQL, [schemaOids], ForeignTableRow);
}

// The servers those tables use. Servers (and user mappings) belong to the database, not a schema.
const SERVERS_SQL = `
SELECT s.oid, s.srvname AS name, w.fdwname AS wrapper, s.srvtype AS type, s.srvversion AS version,
       coalesce(s.srvoptions, '{}')::text[] AS options,
       (SELECT e.extname FROM pg_catalog.pg_depend d JOIN pg_catalog.pg_extension e ON e.oid = d.refobjid
        WHERE d.classid = 'pg_catalog.pg_foreign_data_wrapper'::regclass AND d.objid = w.oid
          AND d.refclassid = 'pg_catalog.pg_extension'::regclass AND d.deptype = 'e') AS wrapper_extension
FROM pg_catalog.pg_foreign_server s
JOIN pg_catalog.pg_foreign_data_wrapper w ON w.oid = s.srvfdw
WHERE $1::text[] IS NULL OR s.srvname = ANY($1::text[])
ORDER BY s.srvname`;

export const ForeignServerRow = z.object({
  oid,
  name: text,
  wrapper: text,
  type: textOrNull,
  version: textOrNull,
  options: textArray,
  wrapper_extension: textOrNull.default(null),
});
export type ForeignServerRow = z.infer<typeof ForeignServerRow>;

/** The servers of these names, or every server (null: a run of the whole database carries them all). */
export function readForeignServers(
  client: pg.Client,
  names: readonly string[] | null,
): Promise<ForeignServerRow[]> {
  return queryRows(client, "foreign servers", SERVERS_SQL, [names], ForeignServerRow);
}

// Wrappers made by hand (an extension's come with the extension): of these names, or all of them.
const WRAPPERS_SQL = `
SELECT w.oid, w.fdwname AS name,
       CASE WHEN w.fdwhandler <> 0 THEN w.fdwhandler::pg_catalog.regproc::text END AS handler,
       CASE WHEN w.fdwvalidator <> 0 THEN w.fdwvalidator::pg_catalog.regproc::text END AS validator,
       coalesce(w.fdwoptions, '{}')::text[] AS options
FROM pg_catalog.pg_foreign_data_wrapper w
WHERE ($1::text[] IS NULL OR w.fdwname = ANY($1::text[]))
  AND ${NOT_EXTENSION_MEMBER("pg_catalog.pg_foreign_data_wrapper", "w.oid")}
ORDER BY w.fdwname`;

export const ForeignDataWrapperRow = z.object({
  oid,
  name: text,
  handler: textOrNull,
  validator: textOrNull,
  options: textArray,
});
export type ForeignDataWrapperRow = z.infer<typeof ForeignDataWrapperRow>;

export function readForeignDataWrappers(
  client: pg.Client,
  names: readonly string[] | null,
): Promise<ForeignDataWrapperRow[]> {
  return queryRows(client, "foreign-data wrappers", WRAPPERS_SQL, [names], ForeignDataWrapperRow);
}

export function parseForeignDataWrapper(r: ForeignDataWrapperRow): ForeignDataWrapper {
  return {
    oid: r.oid,
    name: r.name,
    options: r.options,
    ...(r.handler !== null ? { handler: r.handler } : {}),
    ...(r.validator !== null ? { validator: r.validator } : {}),
  };
}

export function parseForeignServer(r: ForeignServerRow): ForeignServer {
  return {
    oid: r.oid,
    name: r.name,
    wrapper: r.wrapper,
    options: r.options,
    ...(r.type !== null ? { type: r.type } : {}),
    ...(r.version !== null ? { version: r.version } : {}),
    ...(r.wrapper_extension !== null ? { wrapperExtension: r.wrapper_extension } : {}),
  };
}

export function parseForeignTable(r: ForeignTableRow, columns: readonly ColumnRow[]): ForeignTable {
  const parent = r.parents[0];
  return {
    oid: r.oid,
    schema: r.schema,
    name: r.name,
    server: r.server,
    options: r.options,
    // Foreign tables have no identity columns, so no sequences are needed.
    columns: columns.filter((c) => c.is_local).map((c) => parseColumn(r, c, new Map())),
    columnOptions: r.column_options,
    inherits: r.is_partition ? [] : r.parents,
    ...(r.is_partition && parent && r.partition_bound !== null
      ? { partitionOf: { parent, bound: r.partition_bound } }
      : {}),
  };
}
