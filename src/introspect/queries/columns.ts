import type pg from "pg";
import { z } from "zod";
import {
  columnStatisticsTarget,
  negativeNumericScale,
  notNullConstraint,
} from "../../sql/catalog-variants.js";
import type { Column, Sequence, StorageKind } from "../model.js";
import { catalogError, int, oid, queryRows, text, textArray, textOrNull } from "../rows.js";

const oids = (names: readonly string[]) =>
  `ARRAY[${names.map((n) => `'pg_catalog.${n}'::pg_catalog.regtype::pg_catalog.oid`).join(", ")}]`;

/** reg* types that name an object the run may stage; regoper and regoperator name operators. */
const NAME_TYPES = [
  "regclass",
  "regtype",
  "regproc",
  "regprocedure",
  "regconfig",
  "regdictionary",
  "regcollation",
];
const OPERATOR_TYPES = ["regoper", "regoperator"];

/**
 * Core types whose binary form does not come back the same on every server: reg* values travel as
 * the source's OIDs; tsquery, int2vector and oidvector have values (the empty ones) that their
 * receive functions reject although their send functions wrote them.
 */
const NOT_BINARY = oids([
  ...NAME_TYPES,
  ...OPERATOR_TYPES,
  "regnamespace",
  "regrole",
  "tsquery",
  "int2vector",
  "oidvector",
]);

/** The reg* types a column's values hold, through domains and arrays (and, "nested", composites and ranges). */
const REG_NAMES = `(WITH RECURSIVE walk(type_oid, nested, depth) AS (
    SELECT a.atttypid, false, 0
    UNION ALL
    SELECT n.next, w.nested OR n.nests, w.depth + 1
    FROM walk w JOIN pg_catalog.pg_type wt ON wt.oid = w.type_oid
    CROSS JOIN LATERAL (
      SELECT wt.typbasetype AS next, false AS nests WHERE wt.typtype = 'd'
      UNION ALL SELECT wt.typelem, false WHERE wt.typtype = 'b' AND wt.typlen = -1 AND wt.typelem <> 0
      UNION ALL SELECT r.rngsubtype, true FROM pg_catalog.pg_range r WHERE r.rngtypid = wt.oid
      UNION ALL SELECT r.rngtypid, true FROM pg_catalog.pg_range r WHERE r.rngmultitypid = wt.oid
      UNION ALL SELECT ca.atttypid, true FROM pg_catalog.pg_attribute ca
                 WHERE wt.typtype = 'c' AND ca.attrelid = wt.typrelid AND ca.attnum > 0 AND NOT ca.attisdropped) n
    WHERE w.depth < 10)
  SELECT CASE WHEN bool_or(w.nested) THEN 'nested'
              WHEN bool_or(w.type_oid = ANY (${oids(OPERATOR_TYPES)})) THEN 'operator' ELSE 'object' END
  FROM walk w WHERE w.type_oid = ANY (${oids([...NAME_TYPES, ...OPERATOR_TYPES])})
  HAVING count(*) > 0)`;

// binary_safe: COPY's binary format embeds type OIDs in arrays and composites, which differ between
// databases for user types. Core base types (OID below 16384) with send/receive functions, arrays
// of them, built-in ranges and multiranges (sent as their bounds), and enums (sent as their label)
// read back identically on any server, except those in NOT_BINARY (test/fidelity-binary.test.ts).
//
// reg_names: whether the column holds reg* values that name objects the run may stage (directly, in
// an array, through a domain; "nested" inside a composite or range type), and of which kind.
const sql = (major: number) => `
SELECT a.attrelid AS table_oid, a.attnum AS position, a.attname AS name,
       pg_catalog.format_type(a.atttypid, a.atttypmod) AS type, a.atttypid AS type_oid,
       a.attnotnull AS not_null, a.attislocal AS is_local, a.attidentity::text AS identity, a.attgenerated::text AS generated,
       pg_catalog.pg_get_expr(ad.adbin, ad.adrelid) AS default_expr,
       cn.nspname AS collation_schema, co.collname AS collation_name,
       (SELECT d.objid FROM pg_catalog.pg_depend d
         WHERE d.refclassid = 'pg_catalog.pg_class'::regclass AND d.refobjid = a.attrelid AND d.refobjsubid = a.attnum
           AND d.classid = 'pg_catalog.pg_class'::regclass AND d.deptype = 'i' LIMIT 1) AS identity_sequence_oid,
       (t.typtype = 'e'
        OR (t.oid < 16384 AND t.typtype IN ('b', 'r', 'm') AND t.typsend <> 0 AND t.typreceive <> 0
            AND t.oid <> ALL (${NOT_BINARY})
            AND (t.typelem = 0 OR EXISTS (SELECT 1 FROM pg_catalog.pg_type e
                   WHERE e.oid = t.typelem AND e.oid < 16384 AND e.typtype IN ('b', 'r', 'm') AND e.typsend <> 0 AND e.typreceive <> 0
                     AND e.oid <> ALL (${NOT_BINARY}))))
       ) AS binary_safe,
       ${REG_NAMES} AS reg_names,
       a.attstorage::text AS storage, t.typstorage::text AS type_storage, a.attcompression::text AS compression,
       ${columnStatisticsTarget(major, "a")} AS statistics_target,
       coalesce(a.attoptions, '{}')::text[] AS options,
       ${negativeNumericScale(major, "a.atttypid", "a.atttypmod")} AS negative_scale,
       ${notNullConstraint(major, "a")} AS not_null_constraint
FROM pg_catalog.pg_attribute a
JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
LEFT JOIN pg_catalog.pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
LEFT JOIN pg_catalog.pg_collation co ON co.oid = a.attcollation AND a.attcollation <> t.typcollation
LEFT JOIN pg_catalog.pg_namespace cn ON cn.oid = co.collnamespace
WHERE a.attrelid = ANY($1::oid[]) AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY a.attrelid, a.attnum`;

const Storage = z.enum(["p", "e", "x", "m"]);

export const ColumnRow = z.object({
  table_oid: oid,
  position: int,
  name: text,
  type: text,
  type_oid: oid,
  not_null: z.boolean(),
  is_local: z.boolean(),
  identity: z.enum(["", "a", "d"]),
  generated: z.enum(["", "s", "v"]),
  default_expr: textOrNull,
  collation_schema: textOrNull,
  collation_name: textOrNull,
  identity_sequence_oid: oid.nullable(),
  binary_safe: z.boolean(),
  reg_names: z.enum(["object", "operator", "nested"]).nullable().default(null),
  // Defaults: what a column has unless it was changed (rows built by hand may leave them out).
  storage: Storage.default("x"),
  type_storage: Storage.default("x"),
  compression: z.enum(["", "p", "l"]).default(""),
  statistics_target: int.nullable().default(null),
  options: textArray.default([]),
  negative_scale: z.boolean().default(false),
  not_null_constraint: z
    .object({ name: text, valid: z.boolean(), no_inherit: z.boolean() })
    .nullable()
    .default(null),
});
export type ColumnRow = z.infer<typeof ColumnRow>;

export async function readColumns(
  client: pg.Client,
  tableOids: readonly number[],
  major: number,
): Promise<ColumnRow[]> {
  return queryRows(client, "columns", sql(major), [tableOids], ColumnRow);
}

const STORAGE: Record<z.infer<typeof Storage>, StorageKind> = {
  p: "plain",
  e: "external",
  x: "extended",
  m: "main",
};

export function parseColumn(
  t: { readonly schema: string; readonly name: string },
  c: ColumnRow,
  sequences: ReadonlyMap<number, Sequence>,
): Column {
  const base = {
    name: c.name,
    position: c.position,
    type: c.type,
    typeOid: c.type_oid,
    binarySafe: c.binary_safe,
    ...(c.reg_names !== null ? { regNames: c.reg_names } : {}),
    // A NOT NULL added NOT VALID (18) does not hold for the rows: it is added after the load.
    notNull: c.not_null && c.not_null_constraint?.valid !== false,
    ...(c.not_null && c.not_null_constraint
      ? {
          notNullConstraint: {
            name: c.not_null_constraint.name,
            valid: c.not_null_constraint.valid,
            noInherit: c.not_null_constraint.no_inherit,
          },
        }
      : {}),
    ...(c.collation_schema !== null && c.collation_name !== null
      ? { collation: { schema: c.collation_schema, name: c.collation_name } }
      : {}),
    ...(c.storage !== c.type_storage
      ? { storage: { kind: STORAGE[c.storage], typeDefault: STORAGE[c.type_storage] } }
      : {}),
    ...(c.compression !== "" ? { compression: c.compression === "p" ? "pglz" : "lz4" } : {}),
    ...(c.statistics_target !== null ? { statisticsTarget: c.statistics_target } : {}),
    ...(c.options.length > 0 ? { options: c.options } : {}),
    ...(c.negative_scale ? { negativeScale: true } : {}),
  } satisfies Column;
  if (c.identity !== "") {
    const seq = c.identity_sequence_oid === null ? undefined : sequences.get(c.identity_sequence_oid);
    if (!seq)
      throw catalogError(
        `column "${t.schema}"."${t.name}"."${c.name}"`,
        "an identity column without its sequence",
      );
    return {
      ...base,
      identity: {
        kind: c.identity === "a" ? "always" : "by default",
        sequence: { schema: seq.schema, name: seq.name },
        options: seq.options,
      },
    };
  }
  if (c.generated !== "") {
    return {
      ...base,
      generated: { kind: c.generated === "s" ? "stored" : "virtual", expr: c.default_expr ?? "" },
    };
  }
  return c.default_expr === null ? base : { ...base, defaultExpr: c.default_expr };
}
