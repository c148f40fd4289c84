import { identName, isIdent, type Token, tokenize } from "./sql-tokens.js";

/**
 * XMLSERIALIZE's INDENT option (PostgreSQL 16). From 16 on the deparser prints `NO INDENT` in every
 * XMLSERIALIZE, which 14 and 15 cannot parse; NO INDENT is what they do anyway, so it is dropped
 * for them. INDENT itself has no equivalent there: such an object is refused (version-rules.ts).
 */

interface IndentOption {
  /** Token positions of the option: `NO` (when present) to `INDENT`. */
  readonly from: number;
  readonly to: number;
  readonly no: boolean;
}

/** The INDENT / NO INDENT options written at the top level of an XMLSERIALIZE( ... ) call. */
function indentOptions(tokens: readonly Token[]): IndentOption[] {
  const found: IndentOption[] = [];
  const calls: number[] = [];
  let depth = 0;
  const previous = (i: number) => {
    let j = i - 1;
    while (j >= 0 && (tokens[j]?.kind === "space" || tokens[j]?.kind === "comment")) j--;
    return j;
  };
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i] as Token;
    if (token.text === "(") {
      depth++;
      const before = tokens[previous(i)];
      if (isIdent(before) && token.kind === "op" && identName(before) === "xmlserialize") calls.push(depth);
    } else if (token.text === ")" && token.kind === "op") {
      if (calls[calls.length - 1] === depth) calls.pop();
      depth--;
    } else if (isIdent(token) && identName(token) === "indent" && calls[calls.length - 1] === depth) {
      const p = previous(i);
      const before = tokens[p];
      const no = isIdent(before) && identName(before) === "no";
      found.push({ from: no ? p : i, to: i, no });
    }
  }
  return found;
}

/** Whether the SQL serializes XML with INDENT (not NO INDENT). */
export function usesXmlIndent(sql: string): boolean {
  return indentOptions(tokenize(sql)).some((o) => !o.no);
}

/** The SQL without the NO INDENT options of its XMLSERIALIZE calls (what 14 and 15 do by default). */
export function withoutNoIndent(sql: string): string {
  if (!/indent/i.test(sql)) return sql;
  const tokens = tokenize(sql);
  const drop = new Set<number>();
  for (const o of indentOptions(tokens).filter((x) => x.no)) {
    // The option and the space before it.
    const start = tokens[o.from - 1]?.kind === "space" ? o.from - 1 : o.from;
    for (let i = start; i <= o.to; i++) drop.add(i);
  }
  return tokens
    .filter((_t, i) => !drop.has(i))
    .map((t) => t.text)
    .join("");
}
