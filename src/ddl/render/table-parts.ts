import type { Column, SequenceOptions, Table } from "../../introspect/model.js";
import { hasFeature } from "../../sql/features.js";
import { qualify, quoteIdent } from "../../sql/quote.js";
import type { RenderContext } from "./context.js";
import type { TableLookup } from "./table-forms.js";

/** The pieces every form of CREATE TABLE (tables.ts, inheritance-replay.ts) is made of. */

/** `CREATE [UNLOGGED] TABLE "staging"."name"`. */
export function createPrefix(t: Table, ctx: RenderContext): string {
  return `CREATE ${t.persistence === "unlogged" ? "UNLOGGED " : ""}TABLE ${ctx.staged(t)}`;
}

/** PARTITION BY, USING and WITH, in the order CREATE TABLE takes them. */
export function tableTail(t: Table, ctx: RenderContext): string {
  const partitionBy = t.partitionKey ? ` PARTITION BY ${ctx.sql(t.partitionKey)}` : "";
  const using = t.accessMethod !== undefined ? ` USING ${quoteIdent(t.accessMethod)}` : "";
  const options = [...t.options, ...(t.toastOptions ?? []).map((o) => `toast.${o}`)];
  const withOptions = options.length > 0 ? ` WITH (${options.join(", ")})` : "";
  return `${partitionBy}${using}${withOptions}`;
}

/**
 * A column as CREATE TABLE (or ADD COLUMN) writes it. `inherited` is the parent's column it merges
 * with under INHERITS: the child then inherits the generation expression, which 14 and 15 refuse to
 * see written again (a different one is refused by the plan, src/ddl/version-rules.ts).
 */
export function columnDefinition(c: Column, ctx: RenderContext, inherited?: Column): string {
  const parts = [quoteIdent(c.name), ctx.sql(c.type)];
  // Through ctx.sql: a user collation is staged with the table.
  if (c.collation) parts.push(`COLLATE ${ctx.sql(qualify(c.collation.schema, c.collation.name))}`);
  const sameGeneration =
    c.generated !== undefined &&
    inherited?.generated !== undefined &&
    inherited.generated.expr === c.generated.expr;
  parts.push(...columnConstraints(sameGeneration ? { ...c, generated: undefined } : c, ctx));
  return parts.join(" ");
}

/** Identity, generation, default and NOT NULL of a column, as CREATE TABLE writes them. */
export function columnConstraints(c: Column, ctx: RenderContext): string[] {
  const parts: string[] = [];
  if (c.identity) {
    parts.push(
      `GENERATED ${c.identity.kind === "always" ? "ALWAYS" : "BY DEFAULT"} AS IDENTITY (SEQUENCE NAME ${ctx.staged(c.identity.sequence)} ${sequenceClauses(c.identity.options, false)})`,
    );
  } else if (c.generated) {
    parts.push(`GENERATED ALWAYS AS (${ctx.sql(c.generated.expr)}) STORED`);
  } else if (c.defaultExpr !== undefined) {
    parts.push(`DEFAULT ${ctx.sql(c.defaultExpr)}`);
  }
  if (c.notNull) parts.push(notNullClause(c, ctx));
  return parts;
}

/**
 * A column's NOT NULL as CREATE TABLE writes it: with its name, and NO INHERIT, on 18 and later.
 * Before 18 a NOT NULL has no name and always reaches the children: one that must not (NO INHERIT)
 * is written as the CHECK that enforces the same, which does not (the plan reports it).
 */
export function notNullClause(c: Column, ctx: RenderContext): string {
  return namedNotNull(c, ctx, "column") ?? "NOT NULL";
}

/**
 * The same as an ALTER TABLE subcommand, for a NOT NULL the column's creation did not give, or for
 * one the source has NOT VALID (added after the load; before 18, as the CHECK ... NOT VALID that
 * enforces the same on new rows).
 */
export function addNotNull(c: Column, ctx: RenderContext): string {
  const named = namedNotNull(c, ctx, "table");
  return named ? `ADD ${named}` : `ALTER COLUMN ${quoteIdent(c.name)} SET NOT NULL`;
}

/** Before 18, a NOT NULL constraint that is NO INHERIT or NOT VALID is written as a CHECK. */
export function notNullAsCheck(c: Column, targetMajor: number): boolean {
  const n = c.notNullConstraint;
  return (
    n !== undefined && (n.noInherit || !n.valid) && !hasFeature(targetMajor, "named NOT NULL constraints")
  );
}

/**
 * `CONSTRAINT name NOT NULL [column] [NO INHERIT] [NOT VALID]` on 18 and later; before 18 the
 * `CHECK (column IS NOT NULL)` of that name for a NO INHERIT or NOT VALID one; undefined where a
 * plain NOT NULL says it all (no constraint row, or before 18 a valid one that children inherit).
 * NOT VALID exists only as a table constraint, added after the load.
 */
function namedNotNull(c: Column, ctx: RenderContext, form: "column" | "table"): string | undefined {
  const n = c.notNullConstraint;
  const named = hasFeature(ctx.targetMajor, "named NOT NULL constraints");
  if (!n || (!named && !notNullAsCheck(c, ctx.targetMajor))) return undefined;
  const column = quoteIdent(c.name);
  const body = named ? `NOT NULL${form === "table" ? ` ${column}` : ""}` : `CHECK (${column} IS NOT NULL)`;
  const flags = `${n.noInherit ? " NO INHERIT" : ""}${form === "table" && !n.valid ? " NOT VALID" : ""}`;
  return `CONSTRAINT ${quoteIdent(n.name)} ${body}${flags}`;
}

/**
 * From 15 on, an identity sequence takes its table's persistence when the column creates it; one
 * that the source has otherwise (changed with ALTER SEQUENCE) is set again. On 14 every sequence is
 * logged (the plan reports it).
 */
export function identitySequencePersistence(t: Table, ctx: RenderContext, lookup: TableLookup): string[] {
  if (!hasFeature(ctx.targetMajor, "unlogged sequences")) return [];
  return t.allColumns.flatMap((c) => {
    const s = c.identity ? lookup.sequence(c.identity.sequence) : undefined;
    if (!s || !c.identity || s.persistence === t.persistence) return [];
    return [
      `ALTER SEQUENCE ${ctx.staged(c.identity.sequence)} SET ${s.persistence === "unlogged" ? "UNLOGGED" : "LOGGED"}`,
    ];
  });
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
