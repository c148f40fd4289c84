import type { Comment, Policy, Table, Trigger, TriggerState } from "../../introspect/model.js";
import { quoteIdent, quoteLiteral } from "../../sql/quote.js";
import type { RenderContext } from "./context.js";

const ENABLE: Record<TriggerState, string> = {
  origin: "ENABLE TRIGGER",
  disabled: "DISABLE TRIGGER",
  replica: "ENABLE REPLICA TRIGGER",
  always: "ENABLE ALWAYS TRIGGER",
};

/**
 * The trigger, then its enabled state (which reaches the clones on partitions), then the state of
 * each clone that the source set apart, parents before their partitions.
 */
export function createTrigger(t: Trigger, ctx: RenderContext): string[] {
  const statements = [ctx.sql(t.definition)];
  const name = quoteIdent(t.name);
  if (t.state !== "origin") statements.push(`ALTER TABLE ${ctx.staged(t.table)} ${ENABLE[t.state]} ${name}`);
  for (const p of t.partitionStates ?? [])
    statements.push(`ALTER TABLE ${ctx.staged(p.table)} ${ENABLE[p.state]} ${name}`);
  return statements;
}

const COMMANDS: Record<Policy["command"], string> = {
  select: "SELECT",
  insert: "INSERT",
  update: "UPDATE",
  delete: "DELETE",
  all: "ALL",
};

export function createPolicy(p: Policy, ctx: RenderContext): string {
  const parts = [
    `CREATE POLICY ${quoteIdent(p.name)} ON ${ctx.staged(p.table)}`,
    `AS ${p.permissive ? "PERMISSIVE" : "RESTRICTIVE"}`,
    `FOR ${COMMANDS[p.command]}`,
    `TO ${p.roles.join(", ")}`,
  ];
  if (p.using !== undefined) parts.push(`USING (${ctx.sql(p.using)})`);
  if (p.withCheck !== undefined) parts.push(`WITH CHECK (${ctx.sql(p.withCheck)})`);
  return parts.join(" ");
}

export function rowSecurity(t: Table, ctx: RenderContext): string[] {
  const out: string[] = [];
  if (t.rowSecurity) out.push(`ALTER TABLE ${ctx.staged(t)} ENABLE ROW LEVEL SECURITY`);
  if (t.forceRowSecurity) out.push(`ALTER TABLE ${ctx.staged(t)} FORCE ROW LEVEL SECURITY`);
  return out;
}

// COMMENT ON's keyword for each kind pg_identify_object reports.
const COMMENT_KEYWORDS: Record<string, string> = {
  table: "TABLE",
  "table column": "COLUMN",
  view: "VIEW",
  "view column": "COLUMN",
  "materialized view": "MATERIALIZED VIEW",
  "materialized view column": "COLUMN",
  index: "INDEX",
  sequence: "SEQUENCE",
  type: "TYPE",
  domain: "DOMAIN",
  function: "FUNCTION",
  procedure: "PROCEDURE",
  aggregate: "AGGREGATE",
  "table constraint": "CONSTRAINT",
  trigger: "TRIGGER",
  policy: "POLICY",
};

/** COMMENT ON for a staged object; schema comments are applied to the live schema at the cut-over. */
export function commentOn(c: Comment, ctx: RenderContext): string | undefined {
  const text = quoteLiteral(c.text);
  if (c.kind === "domain constraint") {
    return `COMMENT ON CONSTRAINT ${ctx.sql(c.identity).replace(/ on /, " ON DOMAIN ")} IS ${text}`;
  }
  const keyword = COMMENT_KEYWORDS[c.kind];
  if (!keyword) return undefined;
  // pg_identify_object prints an aggregate without arguments as agg(); COMMENT ON wants agg(*).
  const identity = c.kind === "aggregate" ? c.identity.replace(/\(\)$/, "(*)") : c.identity;
  return `COMMENT ON ${keyword} ${ctx.sql(identity)} IS ${text}`;
}
