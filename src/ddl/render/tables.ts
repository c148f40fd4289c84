import type { Sequence, Table } from "../../introspect/model.js";
import { hasFeature } from "../../sql/features.js";
import { quoteIdent } from "../../sql/quote.js";
import type { RenderContext } from "./context.js";
import { columnAlterations } from "./table-columns.js";
import { NO_LOOKUP, parentColumn, type TableLookup, tableShape } from "./table-forms.js";
import {
  columnConstraints,
  columnDefinition,
  createPrefix,
  identitySequencePersistence,
  sequenceClauses,
  tableTail,
} from "./table-parts.js";

export { NO_LOOKUP, type TableLookup, tableLookup } from "./table-forms.js";
export { sequenceClauses } from "./table-parts.js";

/** CREATE TABLE, in the form that gives the source's column order (see tableShape). */
export function createTable(t: Table, ctx: RenderContext, lookup: TableLookup = NO_LOOKUP): string {
  const shape = tableShape(t, lookup);
  const create = createPrefix(t, ctx);
  const tail = tableTail(t, ctx);
  if (shape.form === "typed") {
    const options = t.allColumns
      .map((c) => ({ c, parts: columnConstraints(c, ctx) }))
      .filter((x) => x.parts.length > 0)
      .map((x) => `  ${quoteIdent(x.c.name)} WITH OPTIONS ${x.parts.join(" ")}`);
    const list = options.length > 0 ? ` (\n${options.join(",\n")}\n)` : "";
    return `${create} OF ${ctx.sql(t.ofType ?? "")}${list}${tail}`;
  }
  if (t.partitionOf && shape.form === "partition of") {
    // Columns, defaults and NOT NULL come from the parent; what differs is set after (tableAlterations).
    // So does the access method (17): a heap partition of a parent that has another one says so.
    const heap = t.accessMethod === undefined && shape.parents[0]?.accessMethod !== undefined;
    const partitionTail = heap ? tableTail({ ...t, accessMethod: "heap" }, ctx) : tail;
    return `${create} PARTITION OF ${ctx.staged(t.partitionOf.parent)} ${ctx.sql(t.partitionOf.bound)}${partitionTail}`;
  }
  const standalone = shape.form === "attach" || shape.form === "inherit";
  const columns = (standalone ? t.allColumns : t.columns).map(
    (c) => `  ${columnDefinition(c, ctx, standalone ? undefined : parentColumn(shape, c.name))}`,
  );
  const inherits =
    shape.form === "inherits" ? ` INHERITS (${t.inherits.map((p) => ctx.staged(p)).join(", ")})` : "";
  return `${create} (\n${columns.join(",\n")}\n)${inherits}${tail}`;
}

/**
 * What follows the CREATE TABLE: ATTACH PARTITION or INHERIT for a table created on its own, then
 * the column properties the CREATE did not give (table-columns.ts), and the persistence of
 * identity sequences where it is not their table's.
 */
export function tableAlterations(t: Table, ctx: RenderContext, lookup: TableLookup): string[] {
  const shape = tableShape(t, lookup);
  const name = ctx.staged(t);
  const out: string[] = [];
  if (shape.form === "attach" && t.partitionOf)
    out.push(
      `ALTER TABLE ${ctx.staged(t.partitionOf.parent)} ATTACH PARTITION ${name} ${ctx.sql(t.partitionOf.bound)}`,
    );
  if (shape.form === "inherit")
    for (const p of t.inherits) out.push(`ALTER TABLE ${name} INHERIT ${ctx.staged(p)}`);
  out.push(...columnAlterations(t, shape, ctx));
  out.push(...identitySequencePersistence(t, ctx, lookup));
  return out;
}

/** CREATE SEQUENCE; UNLOGGED where the destination has unlogged sequences (15; refused otherwise). */
export function createSequence(s: Sequence, ctx: RenderContext): string {
  const unlogged =
    s.persistence === "unlogged" && hasFeature(ctx.targetMajor, "unlogged sequences") ? "UNLOGGED " : "";
  return `CREATE ${unlogged}SEQUENCE ${ctx.staged(s)} ${sequenceClauses(s.options, true)}`;
}
