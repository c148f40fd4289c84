import type pg from "pg";
import { z } from "zod";
import type { Policy, PolicyCommand, QualifiedName, Table, Trigger, TriggerState } from "../model.js";
import { catalogError, oid, queryRows, text, textArray, textOrNull } from "../rows.js";

const State = z.enum(["O", "D", "R", "A"]);

// User triggers (not the internal ones behind foreign keys, nor clones on partitions, which the
// partitioned table's trigger creates). tgenabled: O origin (default), D disabled, R replica, A always.
// A clone's own enabled state (ALTER TABLE partition DISABLE TRIGGER ...) is read with the trigger:
// each clone, at any depth, whose state differs from the one it was cloned from, parents first.
const TRIGGERS_SQL = `
SELECT t.oid, t.tgrelid AS table_oid, t.tgname AS name, pg_catalog.pg_get_triggerdef(t.oid) AS definition,
       t.tgenabled::text AS enabled,
       coalesce((
         WITH RECURSIVE clones(oid, table_oid, enabled, parent_enabled, depth) AS (
           SELECT k.oid, k.tgrelid, k.tgenabled, t.tgenabled, 1 FROM pg_catalog.pg_trigger k WHERE k.tgparentid = t.oid
           UNION ALL
           SELECT k.oid, k.tgrelid, k.tgenabled, cl.enabled, cl.depth + 1
           FROM pg_catalog.pg_trigger k JOIN clones cl ON k.tgparentid = cl.oid)
         SELECT json_agg(json_build_object('schema', n.nspname, 'name', c.relname, 'enabled', cl.enabled::text)
                         ORDER BY cl.depth, n.nspname, c.relname)
         FROM clones cl JOIN pg_catalog.pg_class c ON c.oid = cl.table_oid
         JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
         WHERE cl.enabled <> cl.parent_enabled), '[]') AS partition_states
FROM pg_catalog.pg_trigger t
WHERE t.tgrelid = ANY($1::oid[]) AND NOT t.tgisinternal AND t.tgparentid = 0
ORDER BY t.tgrelid, t.tgname`;

export const TriggerRow = z.object({
  oid,
  table_oid: oid,
  name: text,
  definition: text,
  enabled: State,
  partition_states: z.array(z.object({ schema: text, name: text, enabled: State })).default([]),
});
export type TriggerRow = z.infer<typeof TriggerRow>;

export function readTriggers(client: pg.Client, tableOids: readonly number[]): Promise<TriggerRow[]> {
  return queryRows(client, "triggers", TRIGGERS_SQL, [tableOids], TriggerRow);
}

export const TRIGGER_STATES: Record<z.infer<typeof State>, TriggerState> = {
  O: "origin",
  D: "disabled",
  R: "replica",
  A: "always",
};

export function parseTrigger(r: TriggerRow, relations: ReadonlyMap<number, QualifiedName>): Trigger {
  const table = relations.get(r.table_oid);
  if (!table)
    throw catalogError(`trigger "${r.name}"`, `it is on relation ${r.table_oid}, which is not copied`);
  return {
    oid: r.oid,
    table: { schema: table.schema, name: table.name },
    tableOid: r.table_oid,
    name: r.name,
    definition: r.definition,
    state: TRIGGER_STATES[r.enabled],
    ...(r.partition_states.length > 0
      ? {
          partitionStates: r.partition_states.map((p) => ({
            table: { schema: p.schema, name: p.name },
            state: TRIGGER_STATES[p.enabled],
          })),
        }
      : {}),
  };
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

const POLICY_COMMANDS: Record<PolicyRow["command"], PolicyCommand> = {
  r: "select",
  a: "insert",
  w: "update",
  d: "delete",
  "*": "all",
};

export function parsePolicy(r: PolicyRow, tables: ReadonlyMap<number, Table>): Policy {
  const table = tables.get(r.table_oid);
  if (!table) throw catalogError(`policy "${r.name}"`, `it is on table ${r.table_oid}, which is not copied`);
  return {
    oid: r.oid,
    table: { schema: table.schema, name: table.name },
    tableOid: r.table_oid,
    name: r.name,
    permissive: r.permissive,
    command: POLICY_COMMANDS[r.command],
    roles: r.roles,
    roleNames: r.role_names,
    ...(r.using_expr !== null ? { using: r.using_expr } : {}),
    ...(r.check_expr !== null ? { withCheck: r.check_expr } : {}),
  };
}
