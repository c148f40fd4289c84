import type { Rule, StatisticsObject } from "../../introspect/model.js";
import { quoteIdent } from "../../sql/quote.js";
import type { RenderContext } from "./context.js";

/** After the data is in: ANALYZE (run next) then builds the extended statistics. */
export function createStatistics(s: StatisticsObject, ctx: RenderContext): string[] {
  return [
    ctx.sql(s.definition),
    ...(s.target !== undefined ? [`ALTER STATISTICS ${ctx.staged(s)} SET STATISTICS ${s.target}`] : []),
  ];
}

/**
 * After the data is in, so that a rule never acts on the rows being loaded (COPY does not fire
 * rules, but the rule's own target may be loaded later). The enabled state is set like a trigger's.
 */
export function createRule(r: Rule, ctx: RenderContext): string[] {
  const table = ctx.staged(r.table);
  const name = quoteIdent(r.name);
  const statements = [ctx.sql(r.definition)];
  if (r.state === "disabled") statements.push(`ALTER TABLE ${table} DISABLE RULE ${name}`);
  if (r.state === "replica") statements.push(`ALTER TABLE ${table} ENABLE REPLICA RULE ${name}`);
  if (r.state === "always") statements.push(`ALTER TABLE ${table} ENABLE ALWAYS RULE ${name}`);
  return statements;
}
