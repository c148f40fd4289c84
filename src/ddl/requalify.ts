import { quoteIdent, quoteLiteral } from "../sql/quote.js";
import { identName, isIdent, type Token, tokenize } from "./sql-tokens.js";

/**
 * Decides where a schema-qualified reference should point instead: returns the new schema for
 * `schema.name`, or undefined to leave the reference alone.
 */
export type SchemaMapper = (schema: string, name: string) => string | undefined;

// Casts whose string literal holds an object name, e.g. nextval('app.users_id_seq'::regclass).
const NAME_LITERAL_CASTS = new Set([
  "regclass",
  "regtype",
  "regproc",
  "regprocedure",
  "regconfig",
  "regdictionary",
]);

/**
 * Rewrites schema qualifiers in deparsed SQL. Staged objects are created under a staging schema, so
 * every reference the server printed as `app.users` must become `"<staging>".users` while the build
 * runs; references to objects that are not staged (extension types, other schemas) stay as they are.
 */
export function requalify(sql: string, map: SchemaMapper): string {
  const tokens = tokenize(sql);
  const out: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i] as Token;
    if (isIdent(token) && tokens[i + 1]?.text === "." && isIdent(tokens[i + 2])) {
      const target = map(identName(token), identName(tokens[i + 2] as Token));
      out.push(target === undefined ? token.text : quoteIdent(target));
      continue;
    }
    if (isIdent(token) && tokens[i + 1]?.text === "." && isOperatorSyntax(tokens, i)) {
      // OPERATOR(schema.op), as the server prints a user operator in an expression.
      let end = i + 2;
      while (tokens[end]?.kind === "op" && tokens[end]?.text !== ")") end++;
      const name = tokens
        .slice(i + 2, end)
        .map((t) => t.text)
        .join("");
      const target = map(identName(token), name);
      out.push(target === undefined ? token.text : quoteIdent(target));
      continue;
    }
    if (token.kind === "string" && isNameCast(tokens, i + 1)) {
      out.push(requalifyNameLiteral(token, map));
      continue;
    }
    out.push(token.text);
  }
  return out.join("");
}

/** True when the identifier at `at` is the schema in `OPERATOR(schema.op)`. */
function isOperatorSyntax(tokens: readonly Token[], at: number): boolean {
  const keyword = tokens[at - 2];
  return tokens[at - 1]?.text === "(" && isIdent(keyword) && identName(keyword) === "operator";
}

function isNameCast(tokens: readonly Token[], at: number): boolean {
  if (tokens[at]?.text !== ":" || tokens[at + 1]?.text !== ":") return false;
  const type = tokens[at + 2];
  return isIdent(type) && NAME_LITERAL_CASTS.has(identName(type));
}

function requalifyNameLiteral(token: Token, map: SchemaMapper): string {
  if (token.text.startsWith("E") || token.text.startsWith("e")) return token.text;
  const content = token.text.slice(1, -1).replaceAll("''", "'");
  const rewritten = requalify(content, map);
  return rewritten === content ? token.text : quoteLiteral(rewritten);
}
