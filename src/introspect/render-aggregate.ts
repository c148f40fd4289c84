import { qualify, quoteLiteral } from "../sql/quote.js";
import type { AggregateRow, RoutineRow } from "./queries/routines.js";

/**
 * CREATE AGGREGATE from its catalog parts (there is no pg_get_aggregatedef). Function and type names
 * come schema-qualified from regproc/format_type, since introspection runs with search_path=pg_catalog.
 */
export function renderAggregate(r: RoutineRow, a: AggregateRow): string {
  const args = a.kind === "n" ? r.identity_args || "*" : r.identity_args.replace(/ ORDER BY /i, " ORDER BY ");
  const parts = [`SFUNC = ${a.sfunc}`, `STYPE = ${a.stype}`];
  if (a.sspace > 0) parts.push(`SSPACE = ${a.sspace}`);
  if (a.finalfunc) parts.push(`FINALFUNC = ${a.finalfunc}`);
  if (a.finalfunc_extra) parts.push("FINALFUNC_EXTRA");
  if (a.combinefunc) parts.push(`COMBINEFUNC = ${a.combinefunc}`);
  if (a.initcond !== null) parts.push(`INITCOND = ${quoteLiteral(a.initcond)}`);
  if (a.sortop) parts.push(`SORTOP = ${a.sortop.replace(/\(.*$/, "")}`);
  if (a.kind === "h") parts.push("HYPOTHETICAL");
  if (a.parallel !== "u") parts.push(`PARALLEL = ${a.parallel === "s" ? "SAFE" : "RESTRICTED"}`);
  return `CREATE AGGREGATE ${qualify(r.schema, r.name)} (${args}) (\n  ${parts.join(",\n  ")}\n)`;
}
