import type pg from "pg";
import { z } from "zod";
import { queryRows, text, textArray } from "../db/rows.js";
import { PgsyncError } from "../errors.js";
import { describeAddress, objectAddressSql } from "../sql/describe.js";

/**
 * The objects a schema swap moves: everything in the schema that can be moved with
 * ALTER ... SET SCHEMA, except what moves along with its owner (indexes, owned sequences, row types,
 * array types) and what an extension owns (the extension keeps it where it is).
 */
/**
 * A range type's constructor functions belong to the bootstrap superuser, so only a superuser can
 * move a range or multirange type and its constructors: for any other role they stay in place (the
 * plan keeps such a type in the live schema, src/ddl/plan/range-types.ts).
 */
const SUPERUSER = "(SELECT r.rolsuper FROM pg_catalog.pg_roles r WHERE r.rolname = current_user)";

export const MOVABLE_SQL = `
WITH objs(classid, objid) AS (
  SELECT 'pg_catalog.pg_class'::regclass, c.oid FROM pg_catalog.pg_class c
  WHERE c.relnamespace = $1::oid AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S', 'c')
    AND NOT (c.relkind = 'S' AND EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
             WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.objid = c.oid AND d.deptype IN ('a', 'i')))
  UNION ALL
  SELECT 'pg_catalog.pg_type'::regclass, t.oid FROM pg_catalog.pg_type t
  -- Array types move with their element type; a domain over an array type (category A too) is moved.
  -- The element is found by its OID (an index), not by typarray (none): with a new database's
  -- catalog statistics, which count none of the staged tables, the planner scanned pg_type once per
  -- type, 9.4 s at 10,000 tables, inside the swap's locks (bench/README.md, "Many tables").
  WHERE t.typnamespace = $1::oid AND t.typtype IN ('e', 'd', 'r', 'm', 'b')
    AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_type e WHERE e.oid = t.typelem AND e.typarray = t.oid)
    AND NOT (t.typtype IN ('r', 'm') AND NOT ${SUPERUSER})
  UNION ALL SELECT 'pg_catalog.pg_proc'::regclass, o.oid FROM pg_catalog.pg_proc o WHERE o.pronamespace = $1::oid
    AND NOT (NOT ${SUPERUSER} AND EXISTS (SELECT 1 FROM pg_catalog.pg_depend d JOIN pg_catalog.pg_type rt ON rt.oid = d.refobjid
             WHERE d.classid = 'pg_catalog.pg_proc'::regclass AND d.objid = o.oid AND d.refclassid = 'pg_catalog.pg_type'::regclass
               AND d.deptype = 'i' AND rt.typtype IN ('r', 'm')))
  UNION ALL SELECT 'pg_catalog.pg_collation'::regclass, o.oid FROM pg_catalog.pg_collation o WHERE o.collnamespace = $1::oid
  UNION ALL SELECT 'pg_catalog.pg_conversion'::regclass, o.oid FROM pg_catalog.pg_conversion o WHERE o.connamespace = $1::oid
  UNION ALL SELECT 'pg_catalog.pg_operator'::regclass, o.oid FROM pg_catalog.pg_operator o WHERE o.oprnamespace = $1::oid
  UNION ALL SELECT 'pg_catalog.pg_opfamily'::regclass, o.oid FROM pg_catalog.pg_opfamily o WHERE o.opfnamespace = $1::oid
  UNION ALL SELECT 'pg_catalog.pg_opclass'::regclass, o.oid FROM pg_catalog.pg_opclass o WHERE o.opcnamespace = $1::oid
  UNION ALL SELECT 'pg_catalog.pg_ts_config'::regclass, o.oid FROM pg_catalog.pg_ts_config o WHERE o.cfgnamespace = $1::oid
  UNION ALL SELECT 'pg_catalog.pg_ts_dict'::regclass, o.oid FROM pg_catalog.pg_ts_dict o WHERE o.dictnamespace = $1::oid
  UNION ALL SELECT 'pg_catalog.pg_statistic_ext'::regclass, o.oid FROM pg_catalog.pg_statistic_ext o WHERE o.stxnamespace = $1::oid
)
SELECT ident.type AS kind, ident.identity AS identity, address.type AS address_type,
       address.names AS address_names, address.args AS address_args
FROM objs o
CROSS JOIN LATERAL pg_catalog.pg_identify_object(o.classid, o.objid, 0) ident
CROSS JOIN LATERAL ${objectAddressSql("o.classid", "o.objid", "0")} address
WHERE NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.classid = o.classid AND d.objid = o.objid AND d.deptype = 'e')
-- Routines and operators first: their identities name argument types, which must still be where the
-- identities were read when the routine moves; types, tables and the rest follow.
ORDER BY CASE WHEN o.classid IN ('pg_catalog.pg_proc'::regclass, 'pg_catalog.pg_operator'::regclass) THEN 0 ELSE 1 END, 1, 2`;

const Row = z.object({
  kind: text,
  identity: text,
  address_type: text,
  address_names: textArray,
  address_args: textArray,
});

const ALTER_KEYWORD: Record<string, string> = {
  table: "TABLE",
  view: "VIEW",
  "materialized view": "MATERIALIZED VIEW",
  "foreign table": "FOREIGN TABLE",
  sequence: "SEQUENCE",
  "composite type": "TYPE",
  type: "TYPE",
  function: "FUNCTION",
  procedure: "PROCEDURE",
  aggregate: "AGGREGATE",
  collation: "COLLATION",
  conversion: "CONVERSION",
  operator: "OPERATOR",
  "operator class": "OPERATOR CLASS",
  "operator family": "OPERATOR FAMILY",
  "text search configuration": "TEXT SEARCH CONFIGURATION",
  "text search dictionary": "TEXT SEARCH DICTIONARY",
  "statistics object": "STATISTICS",
};

export interface MoveStatement {
  readonly object: string;
  /** Completed with the target schema: `ALTER TABLE app.users SET SCHEMA <target>`. */
  readonly alterPrefix: string;
}

export async function listMovable(client: pg.Client, schemaOid: number): Promise<MoveStatement[]> {
  const rows = await queryRows(client, "movable objects", MOVABLE_SQL, [schemaOid], Row);
  return rows.map((r) => {
    const object = describeAddress({ type: r.address_type, names: r.address_names, args: r.address_args });
    const keyword = r.address_type === "domain" ? "DOMAIN" : ALTER_KEYWORD[r.kind];
    if (!keyword) {
      throw new PgsyncError("cutover", `cannot move ${object}: this object kind is not supported`, {
        object,
        side: "destination",
      });
    }
    // pg_identify_object prints an aggregate without arguments as agg(); ALTER AGGREGATE wants agg(*).
    const identity = r.kind === "aggregate" ? r.identity.replace(/\(\)$/, "(*)") : r.identity;
    return { object, alterPrefix: `ALTER ${keyword} ${identity} SET SCHEMA ` };
  });
}
