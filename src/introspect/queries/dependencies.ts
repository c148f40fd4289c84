import type pg from "pg";
import { z } from "zod";
import { queryRows, text } from "../rows.js";

/**
 * The catalog's dependency graph, folded onto the objects that the plan creates one by one: a
 * view's rewrite rule stands for the view, a default or a constraint for its table (or domain), an
 * array type for its element type, a table's row type for the table, an operator class and the
 * members of a family for the family (the plan creates a family with its classes). Other rules
 * keep their own key: they are created after the data, and must not tie their table to the tables
 * their actions name. Keys are "<catalog>:<oid>".
 */
const SQL = `
WITH RECURSIVE raw AS (
  SELECT d.classid, d.objid, d.refclassid, d.refobjid
  FROM pg_catalog.pg_depend d
  WHERE d.deptype IN ('n', 'a') AND d.objid >= 16384 AND d.refobjid >= 16384
),
folded AS (
  SELECT ${fold("classid", "objid")} AS dependent, ${fold("refclassid", "refobjid")} AS referenced FROM raw
)
SELECT DISTINCT dependent, referenced FROM folded
WHERE dependent IS NOT NULL AND referenced IS NOT NULL AND dependent <> referenced`;

function fold(cls: string, id: string): string {
  return `CASE ${cls}
    WHEN 'pg_catalog.pg_rewrite'::regclass THEN (SELECT CASE WHEN r.rulename = '_RETURN' THEN 'pg_class:' || r.ev_class ELSE 'pg_rewrite:' || r.oid END
                                                FROM pg_catalog.pg_rewrite r WHERE r.oid = ${id})
    WHEN 'pg_catalog.pg_attrdef'::regclass THEN (SELECT 'pg_class:' || a.adrelid FROM pg_catalog.pg_attrdef a WHERE a.oid = ${id})
    WHEN 'pg_catalog.pg_constraint'::regclass THEN (SELECT CASE WHEN c.conrelid <> 0 THEN 'pg_class:' || c.conrelid ELSE 'pg_type:' || c.contypid END
                                                   FROM pg_catalog.pg_constraint c WHERE c.oid = ${id})
    WHEN 'pg_catalog.pg_type'::regclass THEN (SELECT CASE
                                                WHEN t.typrelid <> 0 AND k.relkind <> 'c' THEN 'pg_class:' || t.typrelid
                                                WHEN t.typcategory = 'A' AND t.typelem <> 0 THEN 'pg_type:' || t.typelem
                                                WHEN t.typtype = 'm' THEN (SELECT 'pg_type:' || rg.rngtypid FROM pg_catalog.pg_range rg WHERE rg.rngmultitypid = t.oid)
                                                ELSE 'pg_type:' || t.oid END
                                              FROM pg_catalog.pg_type t LEFT JOIN pg_catalog.pg_class k ON k.oid = t.typrelid WHERE t.oid = ${id})
    WHEN 'pg_catalog.pg_class'::regclass THEN (SELECT CASE WHEN k.relkind = 'c' THEN 'pg_type:' || k.reltype
                                                WHEN k.relkind IN ('i', 'I') THEN NULL ELSE 'pg_class:' || k.oid END
                                              FROM pg_catalog.pg_class k WHERE k.oid = ${id})
    WHEN 'pg_catalog.pg_proc'::regclass THEN 'pg_proc:' || ${id}
    WHEN 'pg_catalog.pg_opclass'::regclass THEN (SELECT 'pg_opfamily:' || c.opcfamily FROM pg_catalog.pg_opclass c WHERE c.oid = ${id})
    WHEN 'pg_catalog.pg_amop'::regclass THEN (SELECT 'pg_opfamily:' || a.amopfamily FROM pg_catalog.pg_amop a WHERE a.oid = ${id})
    WHEN 'pg_catalog.pg_amproc'::regclass THEN (SELECT 'pg_opfamily:' || a.amprocfamily FROM pg_catalog.pg_amproc a WHERE a.oid = ${id})
    WHEN 'pg_catalog.pg_opfamily'::regclass THEN 'pg_opfamily:' || ${id}
    WHEN 'pg_catalog.pg_operator'::regclass THEN 'pg_operator:' || ${id}
    WHEN 'pg_catalog.pg_collation'::regclass THEN 'pg_collation:' || ${id}
    WHEN 'pg_catalog.pg_ts_dict'::regclass THEN 'pg_ts_dict:' || ${id}
    WHEN 'pg_catalog.pg_ts_config'::regclass THEN 'pg_ts_config:' || ${id}
    WHEN 'pg_catalog.pg_cast'::regclass THEN 'pg_cast:' || ${id}
    ELSE NULL END`;
}

const Row = z.object({ dependent: text, referenced: text });
export type DependencyRow = z.infer<typeof Row>;

export function readDependencies(client: pg.Client): Promise<DependencyRow[]> {
  return queryRows(client, "dependencies", SQL, [], Row);
}
