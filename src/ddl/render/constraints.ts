import type { Constraint } from "../../introspect/model.js";
import { identName, isIdent, type Token, tokenize } from "../sql-tokens.js";
import type { RenderContext } from "./context.js";

/**
 * A constraint's definition for ADD CONSTRAINT. pg_get_constraintdef() leaves out the storage
 * parameters of a primary key's, unique or exclusion constraint's index (WITH (fillfactor = 70)):
 * they are written back where the grammar has them, after the column list and its INCLUDE.
 */
export function constraintDefinition(c: Constraint, ctx: RenderContext): string {
  const definition = ctx.sql(c.definition);
  if (!c.indexOptions || c.indexOptions.length === 0) return definition;
  const tokens = tokenize(definition);
  let end = closingParen(
    tokens,
    tokens.findIndex((t) => t.text === "(" && t.kind === "op"),
  );
  const next = nextWord(tokens, end + 1);
  if (next !== undefined && identName(tokens[next] as Token) === "include")
    end = closingParen(
      tokens,
      tokens.findIndex((t, i) => i > next && t.text === "("),
    );
  if (end < 0) return definition;
  const head = tokens
    .slice(0, end + 1)
    .map((t) => t.text)
    .join("");
  const tail = tokens
    .slice(end + 1)
    .map((t) => t.text)
    .join("");
  return `${head} WITH (${c.indexOptions.join(", ")})${tail}`;
}

/** The position of the parenthesis that closes the one at `open` (-1 when there is none). */
function closingParen(tokens: readonly Token[], open: number): number {
  if (open < 0) return -1;
  let depth = 0;
  for (let i = open; i < tokens.length; i++) {
    const t = tokens[i] as Token;
    if (t.kind !== "op") continue;
    if (t.text === "(") depth++;
    if (t.text === ")" && --depth === 0) return i;
  }
  return -1;
}

function nextWord(tokens: readonly Token[], from: number): number | undefined {
  for (let i = from; i < tokens.length; i++) {
    const t = tokens[i] as Token;
    if (t.kind === "space" || t.kind === "comment") continue;
    return isIdent(t) ? i : undefined;
  }
  return undefined;
}
