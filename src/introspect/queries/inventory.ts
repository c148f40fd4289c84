import type pg from "pg";
import { z } from "zod";
import { queryRows, text } from "../rows.js";

/**
 * Every object in the synced schemas that the engine does not carry yet, so that a run can report
 * each one instead of dropping it silently. `holds_rows` marks objects whose rows would be lost.
 */
const SQL = `
WITH objs(classid, objid, holds_rows) AS (
  SELECT 'pg_catalog.pg_class'::regclass, c.oid, c.relkind = 'f'
  FROM pg_catalog.pg_class c
  WHERE c.relnamespace = ANY($1::oid[]) AND c.relkind = 'f'
  UNION ALL
  SELECT 'pg_catalog.pg_type'::regclass, t.oid, false FROM pg_catalog.pg_type t
  WHERE t.typnamespace = ANY($1::oid[]) AND t.typtype = 'b' AND t.typcategory <> 'A'
  UNION ALL
  SELECT 'pg_catalog.pg_proc'::regclass, p.oid, false FROM pg_catalog.pg_proc p
  WHERE p.pronamespace = ANY($1::oid[]) AND p.prokind = 'w'
  UNION ALL
  SELECT 'pg_catalog.pg_rewrite'::regclass, r.oid, false FROM pg_catalog.pg_rewrite r
  JOIN pg_catalog.pg_class c ON c.oid = r.ev_class WHERE c.relnamespace = ANY($1::oid[]) AND r.rulename <> '_RETURN'
  UNION ALL
  SELECT 'pg_catalog.pg_collation'::regclass, o.oid, false FROM pg_catalog.pg_collation o WHERE o.collnamespace = ANY($1::oid[])
  UNION ALL
  SELECT 'pg_catalog.pg_statistic_ext'::regclass, o.oid, false FROM pg_catalog.pg_statistic_ext o WHERE o.stxnamespace = ANY($1::oid[])
  UNION ALL
  SELECT 'pg_catalog.pg_operator'::regclass, o.oid, false FROM pg_catalog.pg_operator o WHERE o.oprnamespace = ANY($1::oid[])
  UNION ALL
  SELECT 'pg_catalog.pg_ts_config'::regclass, o.oid, false FROM pg_catalog.pg_ts_config o WHERE o.cfgnamespace = ANY($1::oid[])
  UNION ALL
  SELECT 'pg_catalog.pg_ts_dict'::regclass, o.oid, false FROM pg_catalog.pg_ts_dict o WHERE o.dictnamespace = ANY($1::oid[])
  UNION ALL
  SELECT 'pg_catalog.pg_largeobject_metadata'::regclass, l.oid, true FROM pg_catalog.pg_largeobject_metadata l
)
SELECT DISTINCT ident.type AS kind, ident.identity AS identity, o.holds_rows
FROM objs o
CROSS JOIN LATERAL pg_catalog.pg_identify_object(o.classid, o.objid, 0) ident
WHERE NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.classid = o.classid AND d.objid = o.objid AND d.deptype = 'e')
ORDER BY 1, 2`;

const Row = z.object({ kind: text, identity: text, holds_rows: z.boolean() });
export type InventoryRow = z.infer<typeof Row>;

export async function readNotCarried(
  client: pg.Client,
  schemaOids: readonly number[],
): Promise<InventoryRow[]> {
  return queryRows(client, "not carried", SQL, [schemaOids], Row);
}
