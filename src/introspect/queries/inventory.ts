import type pg from "pg";
import { z } from "zod";
import { queryRows, text, textOrNull } from "../rows.js";
import { CARRIED_TYPE, NOT_INTERNAL_CAST } from "./casts.js";

/**
 * Every object in the synced schemas (and every database-level object) that the engine does not
 * carry, so that a run can report each one instead of dropping it silently. `holds_rows` marks
 * objects whose rows would be lost; `reason` says why the kind is left out (NULL: not supported yet).
 * Large objects are carried (src/introspect/queries/large-objects.ts), or reported by introspect when
 * only selected schemas are read.
 */
const SQL = `
WITH objs(classid, objid, holds_rows, reason) AS (
  SELECT 'pg_catalog.pg_conversion'::regclass, o.oid, false, NULL::text FROM pg_catalog.pg_conversion o WHERE o.connamespace = ANY($1::oid[])
  UNION ALL
  SELECT 'pg_catalog.pg_ts_parser'::regclass, o.oid, false, 'a text search parser is made of C functions built for one server; install it on the destination'
  FROM pg_catalog.pg_ts_parser o WHERE o.prsnamespace = ANY($1::oid[])
  UNION ALL
  SELECT 'pg_catalog.pg_ts_template'::regclass, o.oid, false, 'a text search template is made of C functions built for one server; install it on the destination'
  FROM pg_catalog.pg_ts_template o WHERE o.tmplnamespace = ANY($1::oid[])
  UNION ALL
  SELECT 'pg_catalog.pg_statistic_ext'::regclass, o.oid, false, 'its table is not in the synced schemas'
  FROM pg_catalog.pg_statistic_ext o JOIN pg_catalog.pg_class c ON c.oid = o.stxrelid
  WHERE o.stxnamespace = ANY($1::oid[]) AND NOT c.relnamespace = ANY($1::oid[])
  UNION ALL
  -- A user cast whose function is synced but whose types are not created by the sync: it is
  -- database-wide, and creating it again would clash with the destination's own.
  SELECT 'pg_catalog.pg_cast'::regclass, c.oid, false, 'a cast between types that are not in the synced schemas is database-wide; create it on the destination'
  FROM pg_catalog.pg_cast c
  JOIN pg_catalog.pg_proc p ON p.oid = c.castfunc AND p.pronamespace = ANY($1::oid[])
  WHERE c.oid >= 16384 AND ${NOT_INTERNAL_CAST("c.oid")}
    AND NOT ${CARRIED_TYPE("c.castsource")} AND NOT ${CARRIED_TYPE("c.casttarget")}
  UNION ALL
  SELECT 'pg_catalog.pg_publication'::regclass, p.oid, false, 'publications configure logical replication from the source; create them on the destination if it should publish'
  FROM pg_catalog.pg_publication p
  UNION ALL
  SELECT 'pg_catalog.pg_subscription'::regclass, s.oid, false, 'a subscription would start replicating into the destination from another server; create it there by hand'
  FROM pg_catalog.pg_subscription s WHERE s.subdbid = (SELECT oid FROM pg_catalog.pg_database WHERE datname = pg_catalog.current_database())
  UNION ALL
  SELECT 'pg_catalog.pg_event_trigger'::regclass, e.oid, false, 'event triggers are database-wide and fire on every DDL statement, the sync''s own included; create them on the destination by hand'
  FROM pg_catalog.pg_event_trigger e
  UNION ALL
  SELECT 'pg_catalog.pg_user_mapping'::regclass, u.umid, false, 'user mappings hold credentials for a foreign server, and the destination''s roles differ; foreign tables are copied without them'
  FROM pg_catalog.pg_user_mappings u
)
SELECT DISTINCT ident.type AS kind, ident.identity AS identity, o.holds_rows, o.reason
FROM objs o
CROSS JOIN LATERAL pg_catalog.pg_identify_object(o.classid, o.objid, 0) ident
WHERE NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.classid = o.classid AND d.objid = o.objid AND d.deptype = 'e')
UNION ALL
-- Settings for one role in this database (ALTER ROLE ... IN DATABASE ... SET).
SELECT 'role setting', pg_catalog.quote_ident(r.rolname) || ': ' || split_part(s.setting, '=', 1), false,
       'settings for one role are not copied: the destination''s roles differ'
FROM pg_catalog.pg_db_role_setting d
JOIN pg_catalog.pg_roles r ON r.oid = d.setrole
CROSS JOIN LATERAL unnest(d.setconfig) AS s(setting)
WHERE d.setdatabase = (SELECT oid FROM pg_catalog.pg_database WHERE datname = pg_catalog.current_database())
ORDER BY 1, 2`;

const Row = z.object({ kind: text, identity: text, holds_rows: z.boolean(), reason: textOrNull });
export type InventoryRow = z.infer<typeof Row>;

export async function readNotCarried(
  client: pg.Client,
  schemaOids: readonly number[],
): Promise<InventoryRow[]> {
  return queryRows(client, "not carried", SQL, [schemaOids], Row);
}
