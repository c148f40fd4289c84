import { identName, isIdent, type Token, tokenize } from "../sql-tokens.js";
import type { BuildKind } from "./types.js";

/**
 * What a deparsed index definition (pg_get_indexdef) or exclusion constraint says about its build,
 * for the load's cost estimates: the access method (the word after the first bare USING: a name
 * that reads USING is printed quoted, so it is never a bare keyword) and, when every key is a plain
 * column, the columns and their operator classes (`USING gin (doc jsonb_path_ops)`).
 */
export function indexBuild(definition: string): Extract<BuildKind, { kind: "index" }> | undefined {
  const words = tokenize(definition).filter((t) => t.kind !== "space" && t.kind !== "comment");
  const at = words.findIndex((t) => t.kind === "ident" && identName(t) === "using");
  const method = at >= 0 ? words[at + 1] : undefined;
  if (!isIdent(method)) return undefined;
  const keys = plainKeys(words, at + 2);
  return { kind: "index", method: identName(method), ...(keys ?? {}) };
}

/** `(col [opclass], ...)` from `from`; undefined when a key is an expression or has options. */
function plainKeys(
  words: readonly Token[],
  from: number,
): { columns: string[]; opclasses: string[] } | undefined {
  if (words[from]?.text !== "(") return undefined;
  const columns: string[] = [];
  const opclasses: string[] = [];
  let at = from + 1;
  for (;;) {
    const column = words[at];
    if (!isIdent(column)) return undefined;
    columns.push(identName(column));
    at++;
    // An operator class, possibly schema-qualified: `pg_catalog.jsonb_path_ops`.
    let opclass = "";
    while (isIdent(words[at]) || words[at]?.text === ".") {
      const t = words[at] as Token;
      opclass = t.text === "." ? "" : identName(t);
      at++;
    }
    opclasses.push(opclass);
    const next = words[at]?.text;
    at++;
    if (next === ")") return { columns, opclasses };
    if (next !== ",") return undefined;
  }
}
