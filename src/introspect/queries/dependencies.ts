import type pg from "pg";
import { z } from "zod";
import { queryRows, text } from "../rows.js";

/**
 * The catalog's dependency graph, by OID (names play no part), folded onto the objects that the
 * plan creates one by one (src/ddl/plan): keys are "<catalog>:<oid>".
 *
 * - a view's rewrite rule stands for the view; other rules keep their own key (created after the
 *   data, they must not tie their table to the tables their actions name);
 * - a table's constraints keep their own key (built after the load, they must not tie the table
 *   to the functions they call); a constraint a partition inherits (conparentid) stands for its
 *   parent's, which creates it; a domain's constraints stand for the domain;
 * - an index that backs a constraint stands for the constraint; a column default (pg_attrdef) is
 *   "pg_attrdef:<table oid>.<column number>", which its table's statement creates;
 * - an array type stands for its element type, a multirange for its range, a table's row type for
 *   the table, an operator class and the members of a family for the family;
 * - a sequence's ownership (OWNED BY, an automatic dependency on a column) is "owned-by:<oid>", set
 *   once both exist, so that the sequence does not wait for the table whose default calls it;
 * - wrappers, servers and access methods keep their own key: they belong to the database, and are
 *   created in the staging transaction after the functions they name;
 * - "view-columns:<oid>" lists what a view's columns need (their types and collations): all that a
 *   placeholder standing in for the view needs.
 */
export const DEPENDENCIES_SQL = `
WITH raw AS (
  SELECT d.classid, d.objid, d.refclassid, d.refobjid, d.deptype
  FROM pg_catalog.pg_depend d
  WHERE d.deptype IN ('n', 'a') AND d.objid >= 16384 AND d.refobjid >= 16384
),
folded AS (
  SELECT CASE WHEN dep.deptype = 'a' AND dep.classid = 'pg_catalog.pg_class'::regclass
                   AND dep.refclassid = 'pg_catalog.pg_class'::regclass
                   AND (SELECT k.relkind FROM pg_catalog.pg_class k WHERE k.oid = dep.objid) = 'S'
              THEN 'owned-by:' || dep.objid
              ELSE ${fold("dep.classid", "dep.objid")} END AS dependent,
         ${fold("dep.refclassid", "dep.refobjid")} AS referenced
  FROM raw dep
  UNION ALL
  SELECT 'view-columns:' || att.attrelid, ${fold("'pg_catalog.pg_type'::regclass", "att.atttypid")}
  FROM pg_catalog.pg_attribute att JOIN pg_catalog.pg_class v ON v.oid = att.attrelid AND v.relkind = 'v'
  WHERE v.oid >= 16384 AND att.attnum > 0 AND NOT att.attisdropped AND att.atttypid >= 16384
  UNION ALL
  SELECT 'view-columns:' || att.attrelid, 'pg_collation:' || att.attcollation
  FROM pg_catalog.pg_attribute att JOIN pg_catalog.pg_class v ON v.oid = att.attrelid AND v.relkind = 'v'
  WHERE v.oid >= 16384 AND att.attnum > 0 AND NOT att.attisdropped AND att.attcollation >= 16384
)
SELECT DISTINCT dependent, referenced FROM folded
WHERE dependent IS NOT NULL AND referenced IS NOT NULL AND dependent <> referenced`;

/** The key of a table constraint: its own, or that of the constraint its partition inherits it from. */
function constraintKey(c: string): string {
  return `'pg_constraint:' || CASE WHEN ${c}.conparentid = 0 THEN ${c}.oid ELSE (
      WITH RECURSIVE up(oid, parent) AS (
        SELECT p.oid, p.conparentid FROM pg_catalog.pg_constraint p WHERE p.oid = ${c}.conparentid
        UNION ALL
        SELECT p.oid, p.conparentid FROM pg_catalog.pg_constraint p JOIN up ON p.oid = up.parent)
      SELECT up.oid FROM up WHERE up.parent = 0) END`;
}

function fold(cls: string, id: string): string {
  return `CASE ${cls}
    WHEN 'pg_catalog.pg_rewrite'::regclass THEN (SELECT CASE WHEN r.rulename = '_RETURN' THEN 'pg_class:' || r.ev_class ELSE 'pg_rewrite:' || r.oid END
                                                FROM pg_catalog.pg_rewrite r WHERE r.oid = ${id})
    WHEN 'pg_catalog.pg_attrdef'::regclass THEN (SELECT 'pg_attrdef:' || a.adrelid || '.' || a.adnum FROM pg_catalog.pg_attrdef a WHERE a.oid = ${id})
    WHEN 'pg_catalog.pg_constraint'::regclass THEN (SELECT CASE WHEN c.conrelid = 0 THEN 'pg_type:' || c.contypid ELSE ${constraintKey("c")} END
                                                   FROM pg_catalog.pg_constraint c WHERE c.oid = ${id})
    WHEN 'pg_catalog.pg_type'::regclass THEN (SELECT CASE
                                                WHEN t.typrelid <> 0 AND k.relkind <> 'c' THEN 'pg_class:' || t.typrelid
                                                WHEN t.typcategory = 'A' AND t.typelem <> 0 THEN 'pg_type:' || t.typelem
                                                WHEN t.typtype = 'm' THEN (SELECT 'pg_type:' || rg.rngtypid FROM pg_catalog.pg_range rg WHERE rg.rngmultitypid = t.oid)
                                                ELSE 'pg_type:' || t.oid END
                                              FROM pg_catalog.pg_type t LEFT JOIN pg_catalog.pg_class k ON k.oid = t.typrelid WHERE t.oid = ${id})
    WHEN 'pg_catalog.pg_class'::regclass THEN (SELECT CASE WHEN k.relkind = 'c' THEN 'pg_type:' || k.reltype
                                                WHEN k.relkind = 't' THEN NULL
                                                WHEN k.relkind IN ('i', 'I') THEN coalesce(
                                                  -- By (classid, objid), an index: with a new database's statistics
                                                  -- the planner took the index on refclassid and filtered every
                                                  -- constraint's dependency for each index (57 s at 10,000 tables).
                                                  -- OFFSET 0 keeps the other conditions out of that scan.
                                                  (SELECT ${constraintKey("c")}
                                                   FROM (SELECT ci.refclassid, ci.refobjid, ci.deptype FROM pg_catalog.pg_depend ci
                                                         WHERE ci.classid = 'pg_catalog.pg_class'::regclass AND ci.objid = k.oid
                                                         OFFSET 0) ci
                                                   JOIN pg_catalog.pg_constraint c ON c.oid = ci.refobjid
                                                   WHERE ci.refclassid = 'pg_catalog.pg_constraint'::regclass AND ci.deptype = 'i'
                                                   LIMIT 1),
                                                  'pg_class:' || k.oid)
                                                ELSE 'pg_class:' || k.oid END
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
    WHEN 'pg_catalog.pg_trigger'::regclass THEN 'pg_trigger:' || ${id}
    WHEN 'pg_catalog.pg_policy'::regclass THEN 'pg_policy:' || ${id}
    WHEN 'pg_catalog.pg_statistic_ext'::regclass THEN 'pg_statistic_ext:' || ${id}
    WHEN 'pg_catalog.pg_foreign_data_wrapper'::regclass THEN 'pg_foreign_data_wrapper:' || ${id}
    WHEN 'pg_catalog.pg_foreign_server'::regclass THEN 'pg_foreign_server:' || ${id}
    WHEN 'pg_catalog.pg_am'::regclass THEN 'pg_am:' || ${id}
    ELSE NULL END`;
}

const Row = z.object({ dependent: text, referenced: text });
export type DependencyRow = z.infer<typeof Row>;

export function readDependencies(client: pg.Client): Promise<DependencyRow[]> {
  return queryRows(client, "dependencies", DEPENDENCIES_SQL, [], Row);
}
