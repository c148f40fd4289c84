import { formatLine } from "../line.js";
import { notExtensionMember, type OracleContext, rows } from "../session.js";

/** Rewrite rules, not a view's _RETURN rule (that is the view's definition). */
export async function ruleLines(ctx: OracleContext): Promise<string[]> {
  const result = await rows<{ rule: string; def: string; ev_enabled: string }>(
    ctx,
    `SELECT format('%s %I', r.ev_class::regclass, r.rulename) AS rule, pg_get_ruledef(r.oid) AS def,
            r.ev_enabled::text AS ev_enabled
       FROM pg_rewrite r
       JOIN pg_class c ON c.oid = r.ev_class
      WHERE c.relnamespace = ANY($1::oid[]) AND r.rulename <> '_RETURN'
        AND ${notExtensionMember("pg_class", "c.oid")}`,
    [ctx.schemaOids],
  );
  return result.flatMap((r) => [
    formatLine("rule.definition", r.rule, "", r.def),
    formatLine("rule.enabled", r.rule, "", r.ev_enabled),
  ]);
}
