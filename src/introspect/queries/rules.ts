import type pg from "pg";
import { z } from "zod";
import type { Rule } from "../model.js";
import { oid, queryRows, text } from "../rows.js";
import { TRIGGER_STATES } from "./table-objects.js";

// Rewrite rules on the copied tables and views, but not a view's _RETURN rule (that is the view's
// query, created by CREATE VIEW). ev_enabled: O origin (default), D disabled, R replica, A always.
const SQL = `
SELECT r.oid, r.ev_class AS table_oid, n.nspname AS table_schema, c.relname AS table_name,
       r.rulename AS name, pg_catalog.pg_get_ruledef(r.oid) AS definition, r.ev_enabled::text AS enabled
FROM pg_catalog.pg_rewrite r
JOIN pg_catalog.pg_class c ON c.oid = r.ev_class
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE r.ev_class = ANY($1::oid[]) AND r.rulename <> '_RETURN'
ORDER BY n.nspname, c.relname, r.rulename`;

export const RuleRow = z.object({
  oid,
  table_oid: oid,
  table_schema: text,
  table_name: text,
  name: text,
  definition: text,
  enabled: z.enum(["O", "D", "R", "A"]),
});
export type RuleRow = z.infer<typeof RuleRow>;

export function readRules(client: pg.Client, relationOids: readonly number[]): Promise<RuleRow[]> {
  return queryRows(client, "rules", SQL, [relationOids], RuleRow);
}

export function parseRule(r: RuleRow): Rule {
  return {
    oid: r.oid,
    table: { schema: r.table_schema, name: r.table_name },
    tableOid: r.table_oid,
    name: r.name,
    definition: r.definition.trim().replace(/;$/, ""),
    state: TRIGGER_STATES[r.enabled],
  };
}
