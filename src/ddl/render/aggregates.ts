import type { AggregateFinal, AggregateRoutine, FinalModify } from "../../introspect/model.js";
import { quoteLiteral } from "../../sql/quote.js";
import type { RenderContext } from "./context.js";

const MODIFY: Record<FinalModify, string> = {
  "read-only": "READ_ONLY",
  shareable: "SHAREABLE",
  "read-write": "READ_WRITE",
};

/** `agg(*)` for an aggregate without arguments, as CREATE, COMMENT ON and ALTER AGGREGATE need it. */
export function aggregateArguments(args: string): string {
  return args === "" ? "*" : args;
}

/**
 * CREATE AGGREGATE from the catalog's parts (there is no pg_get_aggregatedef): the plain
 * transition, its final function and what it does to the state, the combine, serialize and
 * deserialize functions of parallel aggregation, and the moving-aggregate transition with its
 * inverse, used by window frames that shrink. FINALFUNC_MODIFY and MFINALFUNC_MODIFY are always
 * written: each has a catalog value even when the function it qualifies is absent.
 */
export function createAggregate(r: AggregateRoutine, ctx: RenderContext): string {
  const a = r.aggregate;
  const parts = [`SFUNC = ${ctx.sql(a.transition.function)}`, `STYPE = ${ctx.sql(a.transition.stateType)}`];
  if (a.transition.stateSpace > 0) parts.push(`SSPACE = ${a.transition.stateSpace}`);
  if (a.final) parts.push(...finalParts("", a.final, ctx));
  parts.push(`FINALFUNC_MODIFY = ${MODIFY[a.finalModify]}`);
  if (a.combine) parts.push(`COMBINEFUNC = ${ctx.sql(a.combine)}`);
  if (a.serialize) parts.push(`SERIALFUNC = ${ctx.sql(a.serialize)}`);
  if (a.deserialize) parts.push(`DESERIALFUNC = ${ctx.sql(a.deserialize)}`);
  if (a.transition.initialValue !== undefined)
    parts.push(`INITCOND = ${quoteLiteral(a.transition.initialValue)}`);
  if (a.moving) {
    parts.push(
      `MSFUNC = ${ctx.sql(a.moving.function)}`,
      `MINVFUNC = ${ctx.sql(a.moving.inverse)}`,
      `MSTYPE = ${ctx.sql(a.moving.stateType)}`,
    );
    if (a.moving.stateSpace > 0) parts.push(`MSSPACE = ${a.moving.stateSpace}`);
    if (a.moving.initialValue !== undefined) parts.push(`MINITCOND = ${quoteLiteral(a.moving.initialValue)}`);
  }
  if (a.movingFinal) parts.push(...finalParts("M", a.movingFinal, ctx));
  parts.push(`MFINALFUNC_MODIFY = ${MODIFY[a.movingFinalModify]}`);
  if (a.sortOperator) {
    // A qualified operator name is written OPERATOR(schema.op); one of pg_catalog bare.
    const op = a.sortOperator.includes(".") ? ctx.sql(`OPERATOR(${a.sortOperator})`) : a.sortOperator;
    parts.push(`SORTOP = ${op}`);
  }
  if (a.kind === "hypothetical") parts.push("HYPOTHETICAL");
  if (a.parallel !== "unsafe") parts.push(`PARALLEL = ${a.parallel === "safe" ? "SAFE" : "RESTRICTED"}`);
  const args = a.kind === "normal" ? aggregateArguments(a.arguments) : a.arguments;
  return `CREATE AGGREGATE ${ctx.staged(r)} (${ctx.sql(args)}) (\n  ${parts.join(",\n  ")}\n)`;
}

function finalParts(prefix: "" | "M", f: AggregateFinal, ctx: RenderContext): string[] {
  return [`${prefix}FINALFUNC = ${ctx.sql(f.function)}`, ...(f.extra ? [`${prefix}FINALFUNC_EXTRA`] : [])];
}
