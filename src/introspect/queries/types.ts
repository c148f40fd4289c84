import type pg from "pg";
import { z } from "zod";
import { negativeNumericScale } from "../../sql/catalog-variants.js";
import type { CompositeType, Domain, RangeType, ShellType } from "../model.js";
import { NOT_EXTENSION_MEMBER, oid, queryRows, text, textOrNull } from "../rows.js";

// Domains, with their named CHECK constraints (NOT NULL is typnotnull; 17+ also stores it as a
// contype 'n' constraint, which is skipped here); a constraint added NOT VALID has convalidated off.
const domainsSql = (major: number) => `
SELECT t.oid, n.nspname AS schema, t.typname AS name,
       pg_catalog.format_type(t.typbasetype, t.typtypmod) AS base_type,
       t.typnotnull AS not_null, t.typdefault AS default_expr,
       CASE WHEN t.typcollation <> bt.typcollation THEN cn.nspname END AS collation_schema,
       CASE WHEN t.typcollation <> bt.typcollation THEN co.collname END AS collation_name,
       coalesce((SELECT json_agg(json_build_object('name', c.conname, 'definition', pg_catalog.pg_get_constraintdef(c.oid),
                                                   'validated', c.convalidated) ORDER BY c.conname)
                 FROM pg_catalog.pg_constraint c WHERE c.contypid = t.oid AND c.contype = 'c'), '[]') AS checks,
       ${negativeNumericScale(major, "t.typbasetype", "t.typtypmod")} AS negative_scale
FROM pg_catalog.pg_type t
JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
JOIN pg_catalog.pg_type bt ON bt.oid = t.typbasetype
LEFT JOIN pg_catalog.pg_collation co ON co.oid = t.typcollation
LEFT JOIN pg_catalog.pg_namespace cn ON cn.oid = co.collnamespace
WHERE t.typtype = 'd' AND t.typnamespace = ANY($1::oid[]) AND ${NOT_EXTENSION_MEMBER("pg_catalog.pg_type", "t.oid")}
ORDER BY n.nspname, t.typname`;

export const DomainRow = z.object({
  oid,
  schema: text,
  name: text,
  base_type: text,
  not_null: z.boolean(),
  default_expr: textOrNull,
  collation_schema: textOrNull,
  collation_name: textOrNull,
  checks: z.array(z.object({ name: text, definition: text, validated: z.boolean().default(true) })),
  negative_scale: z.boolean().default(false),
});
export type DomainRow = z.infer<typeof DomainRow>;

export function readDomains(
  client: pg.Client,
  schemaOids: readonly number[],
  major: number,
): Promise<DomainRow[]> {
  return queryRows(client, "domains", domainsSql(major), [schemaOids], DomainRow);
}

export function parseDomain(r: DomainRow): Domain {
  return {
    oid: r.oid,
    schema: r.schema,
    name: r.name,
    baseType: r.base_type,
    notNull: r.not_null,
    checks: r.checks.map((c) => ({
      name: c.name,
      definition: c.definition,
      ...(c.validated ? {} : { notValid: true }),
    })),
    ...(r.default_expr !== null ? { defaultExpr: r.default_expr } : {}),
    ...(r.collation_schema !== null && r.collation_name !== null
      ? { collation: { schema: r.collation_schema, name: r.collation_name } }
      : {}),
    ...(r.negative_scale ? { negativeScale: true } : {}),
  };
}

// Stand-alone composite types (CREATE TYPE ... AS (...)); a table's row type is not one.
const compositesSql = (major: number) => `
SELECT t.oid, n.nspname AS schema, t.typname AS name,
       coalesce((SELECT json_agg(json_build_object(
                   'name', a.attname, 'type', pg_catalog.format_type(a.atttypid, a.atttypmod),
                   'collation', CASE WHEN a.attcollation <> at.typcollation THEN pg_catalog.quote_ident(cn.nspname) || '.' || pg_catalog.quote_ident(co.collname) END,
                   'negative_scale', ${negativeNumericScale(major, "a.atttypid", "a.atttypmod")})
                   ORDER BY a.attnum)
                 FROM pg_catalog.pg_attribute a
                 JOIN pg_catalog.pg_type at ON at.oid = a.atttypid
                 LEFT JOIN pg_catalog.pg_collation co ON co.oid = a.attcollation
                 LEFT JOIN pg_catalog.pg_namespace cn ON cn.oid = co.collnamespace
                 WHERE a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped), '[]') AS attributes
FROM pg_catalog.pg_type t
JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
JOIN pg_catalog.pg_class c ON c.oid = t.typrelid AND c.relkind = 'c'
WHERE t.typtype = 'c' AND t.typnamespace = ANY($1::oid[]) AND ${NOT_EXTENSION_MEMBER("pg_catalog.pg_type", "t.oid")}
ORDER BY n.nspname, t.typname`;

export const CompositeRow = z.object({
  oid,
  schema: text,
  name: text,
  attributes: z.array(
    z.object({ name: text, type: text, collation: textOrNull, negative_scale: z.boolean().default(false) }),
  ),
});
export type CompositeRow = z.infer<typeof CompositeRow>;

export function readComposites(
  client: pg.Client,
  schemaOids: readonly number[],
  major: number,
): Promise<CompositeRow[]> {
  return queryRows(client, "composite types", compositesSql(major), [schemaOids], CompositeRow);
}

export function parseComposite(c: CompositeRow): CompositeType {
  return {
    oid: c.oid,
    schema: c.schema,
    name: c.name,
    attributes: c.attributes.map((a) => ({
      name: a.name,
      type: a.type,
      ...(a.collation !== null ? { collation: a.collation } : {}),
      ...(a.negative_scale ? { negativeScale: true } : {}),
    })),
  };
}

// Range types with their multirange (14+ always has one).
const RANGES_SQL = `
SELECT t.oid, n.nspname AS schema, t.typname AS name,
       pg_catalog.format_type(r.rngsubtype, NULL) AS subtype,
       CASE WHEN NOT opc.opcdefault THEN pg_catalog.quote_ident(opcn.nspname) || '.' || pg_catalog.quote_ident(opc.opcname) END AS subtype_opclass,
       CASE WHEN r.rngcollation <> 0 AND r.rngcollation <> st.typcollation
            THEN pg_catalog.quote_ident(cn.nspname) || '.' || pg_catalog.quote_ident(co.collname) END AS collation,
       CASE WHEN r.rngsubdiff <> 0 THEN r.rngsubdiff::regproc::text END AS subtype_diff,
       CASE WHEN r.rngcanonical <> 0 THEN r.rngcanonical::regproc::text END AS canonical,
       mn.nspname AS multirange_schema, m.typname AS multirange_name
FROM pg_catalog.pg_range r
JOIN pg_catalog.pg_type t ON t.oid = r.rngtypid
JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
JOIN pg_catalog.pg_type st ON st.oid = r.rngsubtype
JOIN pg_catalog.pg_opclass opc ON opc.oid = r.rngsubopc
JOIN pg_catalog.pg_namespace opcn ON opcn.oid = opc.opcnamespace
LEFT JOIN pg_catalog.pg_collation co ON co.oid = r.rngcollation
LEFT JOIN pg_catalog.pg_namespace cn ON cn.oid = co.collnamespace
LEFT JOIN pg_catalog.pg_type m ON m.oid = r.rngmultitypid
LEFT JOIN pg_catalog.pg_namespace mn ON mn.oid = m.typnamespace
WHERE t.typnamespace = ANY($1::oid[]) AND ${NOT_EXTENSION_MEMBER("pg_catalog.pg_type", "t.oid")}
ORDER BY n.nspname, t.typname`;

export const RangeRow = z.object({
  oid,
  schema: text,
  name: text,
  subtype: text,
  subtype_opclass: textOrNull,
  collation: textOrNull,
  subtype_diff: textOrNull,
  canonical: textOrNull,
  multirange_schema: textOrNull,
  multirange_name: textOrNull,
});
export type RangeRow = z.infer<typeof RangeRow>;

export function readRanges(client: pg.Client, schemaOids: readonly number[]): Promise<RangeRow[]> {
  return queryRows(client, "range types", RANGES_SQL, [schemaOids], RangeRow);
}

export function parseRange(r: RangeRow): RangeType {
  return {
    oid: r.oid,
    schema: r.schema,
    name: r.name,
    subtype: r.subtype,
    ...(r.subtype_opclass !== null ? { subtypeOpclass: r.subtype_opclass } : {}),
    ...(r.collation !== null ? { collation: r.collation } : {}),
    ...(r.subtype_diff !== null ? { subtypeDiff: r.subtype_diff } : {}),
    ...(r.canonical !== null ? { canonical: r.canonical } : {}),
    ...(r.multirange_schema !== null && r.multirange_name !== null
      ? { multirange: { schema: r.multirange_schema, name: r.multirange_name } }
      : {}),
  };
}

// Shell types (CREATE TYPE name, never completed). The shells of base types the run creates are
// not among them: a base type is defined.
const SHELLS_SQL = `
SELECT t.oid, n.nspname AS schema, t.typname AS name, pg_catalog.obj_description(t.oid, 'pg_type') AS comment
FROM pg_catalog.pg_type t
JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
WHERE t.typtype = 'p' AND NOT t.typisdefined AND t.typnamespace = ANY($1::oid[])
  AND ${NOT_EXTENSION_MEMBER("pg_catalog.pg_type", "t.oid")}
ORDER BY n.nspname, t.typname`;

export const ShellTypeRow = z.object({ oid, schema: text, name: text, comment: textOrNull });
export type ShellTypeRow = z.infer<typeof ShellTypeRow>;

export function readShellTypes(client: pg.Client, schemaOids: readonly number[]): Promise<ShellTypeRow[]> {
  return queryRows(client, "shell types", SHELLS_SQL, [schemaOids], ShellTypeRow);
}

export function parseShellType(r: ShellTypeRow): ShellType {
  return {
    oid: r.oid,
    schema: r.schema,
    name: r.name,
    ...(r.comment !== null ? { comment: r.comment } : {}),
  };
}
