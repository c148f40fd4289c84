import type { Cast, CatalogModel } from "../../introspect/model.js";
import { featureRequirement, hasFeature } from "../../sql/features.js";
import type { Refusal } from "../version-rules.js";
import type { RenderContext } from "./context.js";

const CONTEXT: Record<Cast["context"], string> = {
  explicit: "",
  assignment: " AS ASSIGNMENT",
  implicit: " AS IMPLICIT",
};

/**
 * A cast names its types (and function) by the staged names: it is created between the staged
 * types, and follows them when the cut-over moves them into the live schema. A cast has no schema
 * of its own, so the cut-over never moves it, and the previous cast stays with the previous types
 * in the snapshot.
 */
export function createCast(c: Cast, ctx: RenderContext): string {
  const how =
    c.method === "function"
      ? `WITH FUNCTION ${ctx.sql(c.function ?? "")}`
      : c.method === "inout"
        ? "WITH INOUT"
        : "WITHOUT FUNCTION";
  return `CREATE CAST (${ctx.sql(c.source)} AS ${ctx.sql(c.target)}) ${how}${CONTEXT[c.context]}`;
}

/**
 * PostgreSQL 17 refuses binary-coercible casts (WITHOUT FUNCTION) from or to a range or multirange
 * type, which 14 to 16 accept: such a cast cannot be created on a destination on 17 or later.
 */
export function castRefusals(model: CatalogModel, targetMajor: number): Refusal[] {
  if (hasFeature(targetMajor, "binary-coercible casts of range types")) return [];
  return model.casts
    .filter((c) => c.method === "binary" && c.rangeTypes)
    .map((c) => ({
      object: `cast (${c.source} AS ${c.target})`,
      reason: `${featureRequirement("binary-coercible casts of range types")} (WITHOUT FUNCTION)`,
    }));
}
