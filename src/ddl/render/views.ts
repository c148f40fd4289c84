import type { View } from "../../introspect/model.js";
import { quoteIdent } from "../../sql/quote.js";
import type { RenderContext } from "./context.js";

/** Materialized views are created empty; a populated one is refreshed after the load. */
export function createView(v: View, ctx: RenderContext): string {
  const kind = v.materialized ? "MATERIALIZED VIEW" : "VIEW";
  // A view without columns (SELECT with an empty list) takes no column list: `()` is a syntax error.
  const columns = v.columns.length > 0 ? ` (${v.columns.map(quoteIdent).join(", ")})` : "";
  const using = v.accessMethod !== undefined ? ` USING ${quoteIdent(v.accessMethod)}` : "";
  const withOptions = v.options.length > 0 ? ` WITH (${v.options.join(", ")})` : "";
  const noData = v.materialized ? " WITH NO DATA" : "";
  return `CREATE ${kind} ${ctx.staged(v)}${columns}${using}${withOptions} AS\n${ctx.sql(v.definition)}${noData}`;
}
