import type { BaseType } from "../../introspect/model.js";
import { quoteLiteral } from "../../sql/quote.js";
import type { RenderContext } from "./context.js";

/**
 * The shell of a base type (CREATE TYPE name): its input and output functions take or return the
 * type, and the type names them, so the shell comes first, then the functions, then the type.
 */
export function createShellType(t: BaseType, ctx: RenderContext): string {
  return `CREATE TYPE ${ctx.staged(t)}`;
}

/** Completes the shell: every property that pg_type records for the type. */
export function createBaseType(t: BaseType, ctx: RenderContext): string {
  const parts = [`INPUT = ${ctx.sql(t.input)}`, `OUTPUT = ${ctx.sql(t.output)}`];
  const functions: [string, string | undefined][] = [
    ["RECEIVE", t.receive],
    ["SEND", t.send],
    ["TYPMOD_IN", t.typmodIn],
    ["TYPMOD_OUT", t.typmodOut],
    ["ANALYZE", t.analyze],
    ["SUBSCRIPT", t.subscript],
  ];
  for (const [keyword, f] of functions) if (f !== undefined) parts.push(`${keyword} = ${ctx.sql(f)}`);
  parts.push(`INTERNALLENGTH = ${t.internalLength < 0 ? "VARIABLE" : t.internalLength}`);
  if (t.passedByValue) parts.push("PASSEDBYVALUE");
  parts.push(`ALIGNMENT = ${t.alignment}`, `STORAGE = ${t.storage}`);
  parts.push(`CATEGORY = ${quoteLiteral(t.category)}`, `PREFERRED = ${t.preferred}`);
  if (t.defaultValue !== undefined) parts.push(`DEFAULT = ${quoteLiteral(t.defaultValue)}`);
  if (t.element !== undefined) parts.push(`ELEMENT = ${ctx.sql(t.element)}`);
  parts.push(`DELIMITER = ${quoteLiteral(t.delimiter)}`, `COLLATABLE = ${t.collatable}`);
  return `CREATE TYPE ${ctx.staged(t)} (${parts.join(", ")})`;
}
