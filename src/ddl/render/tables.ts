import type { Column, SequenceOptions, Table } from "../../introspect/model.js";
import { qualify, quoteIdent } from "../../sql/quote.js";
import type { RenderContext } from "./context.js";

export function createTable(t: Table, ctx: RenderContext): string {
  const unlogged = t.persistence === "unlogged" ? "UNLOGGED " : "";
  const partitionBy = t.partitionKey ? ` PARTITION BY ${ctx.sql(t.partitionKey)}` : "";
  const withOptions = t.options.length > 0 ? ` WITH (${t.options.join(", ")})` : "";
  if (t.partitionOf) {
    // Columns, defaults and NOT NULL come from the parent.
    return `CREATE ${unlogged}TABLE ${ctx.staged(t)} PARTITION OF ${ctx.staged(t.partitionOf.parent)} ${ctx.sql(t.partitionOf.bound)}${partitionBy}${withOptions}`;
  }
  const columns = t.columns.map((c) => `  ${columnDefinition(c, ctx)}`);
  const inherits =
    t.inherits.length > 0 ? ` INHERITS (${t.inherits.map((p) => ctx.staged(p)).join(", ")})` : "";
  return `CREATE ${unlogged}TABLE ${ctx.staged(t)} (\n${columns.join(",\n")}\n)${inherits}${partitionBy}${withOptions}`;
}

function columnDefinition(c: Column, ctx: RenderContext): string {
  const parts = [quoteIdent(c.name), ctx.sql(c.type)];
  // Through ctx.sql: a user collation is staged with the table.
  if (c.collation) parts.push(`COLLATE ${ctx.sql(qualify(c.collation.schema, c.collation.name))}`);
  if (c.identity) {
    parts.push(
      `GENERATED ${c.identity.kind === "always" ? "ALWAYS" : "BY DEFAULT"} AS IDENTITY (SEQUENCE NAME ${ctx.staged(c.identity.sequence)} ${sequenceClauses(c.identity.options, false)})`,
    );
  } else if (c.generated) {
    parts.push(`GENERATED ALWAYS AS (${ctx.sql(c.generated.expr)}) STORED`);
  } else if (c.defaultExpr !== undefined) {
    parts.push(`DEFAULT ${ctx.sql(c.defaultExpr)}`);
  }
  if (c.notNull) parts.push("NOT NULL");
  return parts.join(" ");
}

export function sequenceClauses(o: SequenceOptions, withType: boolean): string {
  return [
    withType ? `AS ${o.dataType}` : "",
    `START WITH ${o.start} INCREMENT BY ${o.increment} MINVALUE ${o.min} MAXVALUE ${o.max} CACHE ${o.cache}`,
    o.cycle ? "CYCLE" : "NO CYCLE",
  ]
    .filter(Boolean)
    .join(" ");
}
