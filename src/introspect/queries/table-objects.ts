import type pg from "pg";
import { z } from "zod";
import { oid, queryRows, text, textArray, textOrNull } from "../rows.js";

// User triggers (not the internal ones behind foreign keys, nor clones on partitions, which the
// partitioned table's trigger creates). tgenabled: O origin (default), D disabled, R replica, A always.
const TRIGGERS_SQL = `
SELECT t.oid, t.tgrelid AS table_oid, t.tgname AS name, pg_catalog.pg_get_triggerdef(t.oid) AS definition,
       t.tgenabled::text AS enabled
FROM pg_catalog.pg_trigger t
WHERE t.tgrelid = ANY($1::oid[]) AND NOT t.tgisinternal AND t.tgparentid = 0
ORDER BY t.tgrelid, t.tgname`;

export const TriggerRow = z.object({
  oid,
  table_oid: oid,
  name: text,
  definition: text,
  enabled: z.enum(["O", "D", "R", "A"]),
});
export type TriggerRow = z.infer<typeof TriggerRow>;

export function readTriggers(client: pg.Client, tableOids: readonly number[]): Promise<TriggerRow[]> {
  return queryRows(client, "triggers", TRIGGERS_SQL, [tableOids], TriggerRow);
}

// Row-level security policies. polroles holds 0 for PUBLIC.
const POLICIES_SQL = `
SELECT p.oid, p.polrelid AS table_oid, p.polname AS name, p.polpermissive AS permissive, p.polcmd::text AS command,
       ARRAY(SELECT CASE WHEN r = 0 THEN 'public' ELSE pg_catalog.quote_ident(pg_catalog.pg_get_userbyid(r)) END
             FROM unnest(p.polroles) AS r) AS roles,
       ARRAY(SELECT pg_catalog.pg_get_userbyid(r)::text FROM unnest(p.polroles) AS r WHERE r <> 0) AS role_names,
       pg_catalog.pg_get_expr(p.polqual, p.polrelid) AS using_expr,
       pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid) AS check_expr
FROM pg_catalog.pg_policy p
WHERE p.polrelid = ANY($1::oid[])
ORDER BY p.polrelid, p.polname`;

export const PolicyRow = z.object({
  oid,
  table_oid: oid,
  name: text,
  permissive: z.boolean(),
  command: z.enum(["r", "a", "w", "d", "*"]),
  roles: textArray,
  role_names: textArray,
  using_expr: textOrNull,
  check_expr: textOrNull,
});
export type PolicyRow = z.infer<typeof PolicyRow>;

export function readPolicies(client: pg.Client, tableOids: readonly number[]): Promise<PolicyRow[]> {
  return queryRows(client, "policies", POLICIES_SQL, [tableOids], PolicyRow);
}
