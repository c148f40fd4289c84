import type pg from "pg";
import { z } from "zod";
import type { OperatorFamily } from "../model.js";
import { NOT_EXTENSION_MEMBER, oid, queryRows, text } from "../rows.js";
import { MemberRows, parseMembers } from "./operators.js";

// Members that the source added (ALTER OPERATOR FAMILY ... ADD) to a family the run does not create:
// a built-in family (pg_catalog's integer_ops given an operator over a user type) or an extension's.
// Each operator or support function is one of the synced schemas' own (not an extension's). Members
// of a family in a schema the run does not sync, made by hand, are not read: that family is not on
// the destination for certain.
// A member that no operator class holds (pg_depend ties a class's members to it). pg_depend records
// nothing against a built-in family (it is pinned), so the family side cannot be asked instead.
const NOT_IN_CLASS = (catalog: string, member: string) =>
  `NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend cd WHERE cd.classid = 'pg_catalog.${catalog}'::regclass
      AND cd.objid = ${member} AND cd.refclassid = 'pg_catalog.pg_opclass'::regclass)`;

const SQL = `
WITH families AS (
  SELECT f.oid, n.nspname AS schema, f.opfname AS name, am.amname AS method
  FROM pg_catalog.pg_opfamily f
  JOIN pg_catalog.pg_namespace n ON n.oid = f.opfnamespace
  JOIN pg_catalog.pg_am am ON am.oid = f.opfmethod
  WHERE n.nspname = 'pg_catalog' OR NOT ${NOT_EXTENSION_MEMBER("pg_catalog.pg_opfamily", "f.oid")}
),
members AS (
  SELECT fam.oid,
         coalesce((SELECT json_agg(json_build_object(
                     'strategy', ao.amopstrategy, 'schema', opn.nspname, 'name', op.oprname,
                     'left', pg_catalog.format_type(ao.amoplefttype, NULL), 'right', pg_catalog.format_type(ao.amoprighttype, NULL),
                     'order_by_schema', sfn.nspname, 'order_by_name', sf.opfname)
                     ORDER BY ao.amopstrategy, ao.amoplefttype, ao.amoprighttype)
                   FROM pg_catalog.pg_amop ao
                   JOIN pg_catalog.pg_operator op ON op.oid = ao.amopopr
                   JOIN pg_catalog.pg_namespace opn ON opn.oid = op.oprnamespace
                   LEFT JOIN pg_catalog.pg_opfamily sf ON sf.oid = ao.amopsortfamily
                   LEFT JOIN pg_catalog.pg_namespace sfn ON sfn.oid = sf.opfnamespace
                   WHERE ao.amopfamily = fam.oid AND op.oprnamespace = ANY($1::oid[]) AND ${NOT_IN_CLASS("pg_amop", "ao.oid")}
                     AND ${NOT_EXTENSION_MEMBER("pg_catalog.pg_operator", "op.oid")}), '[]') AS operators,
         coalesce((SELECT json_agg(json_build_object(
                     'number', ap.amprocnum, 'left', pg_catalog.format_type(ap.amproclefttype, NULL),
                     'right', pg_catalog.format_type(ap.amprocrighttype, NULL),
                     'function', ap.amproc::pg_catalog.regprocedure::text)
                     ORDER BY ap.amprocnum, ap.amproclefttype, ap.amprocrighttype)
                   FROM pg_catalog.pg_amproc ap
                   JOIN pg_catalog.pg_proc p ON p.oid = ap.amproc
                   WHERE ap.amprocfamily = fam.oid AND p.pronamespace = ANY($1::oid[]) AND ${NOT_IN_CLASS("pg_amproc", "ap.oid")}
                     AND ${NOT_EXTENSION_MEMBER("pg_catalog.pg_proc", "p.oid")}), '[]') AS functions
  FROM families fam
)
SELECT fam.oid, fam.schema, fam.name, fam.method, m.operators, m.functions
FROM families fam JOIN members m ON m.oid = fam.oid
WHERE m.operators::text <> '[]' OR m.functions::text <> '[]'
ORDER BY fam.schema, fam.name, fam.method`;

const Row = z.object({
  oid,
  schema: text,
  name: text,
  method: text,
  ...MemberRows,
});

/** Families outside the sync, with only the members the source added from the synced schemas. */
export async function readFamilyMembers(
  client: pg.Client,
  schemaOids: readonly number[],
): Promise<OperatorFamily[]> {
  const rows = await queryRows(client, "operator family members", SQL, [schemaOids], Row);
  return rows.map((r) => ({
    oid: r.oid,
    schema: r.schema,
    name: r.name,
    method: r.method,
    ...parseMembers(r),
  }));
}
