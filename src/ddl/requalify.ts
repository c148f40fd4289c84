import { quoteIdent, quoteLiteral } from "../sql/quote.js";
import { identName, isIdent, type Token, tokenize } from "./sql-tokens.js";

/**
 * Decides where a schema-qualified reference should point instead: returns the new schema for
 * `schema.name`, or undefined to leave the reference alone.
 */
export type SchemaMapper = (schema: string, name: string) => string | undefined;

// Casts whose string literal holds an object name, e.g. nextval('app.users_id_seq'::regclass). The
// constant is stored as the object's OID, so pointing it at the staged object makes it follow that
// object into the live schema at the cut-over. (regnamespace names a schema, which is not staged,
// and regrole a role: both stay as they are.)
const NAME_LITERAL_CASTS = new Set([
  "regclass",
  "regtype",
  "regproc",
  "regprocedure",
  "regconfig",
  "regdictionary",
  "regcollation",
]);
// Casts whose literal holds an operator, `app.===` or `app.===(integer,integer)`: the name after the
// dot is made of operator characters, not an identifier.
const OPERATOR_LITERAL_CASTS = new Set(["regoper", "regoperator"]);

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
      // Right after a quoted name, `"a"b.c` must not become `"a""stage".c` (one name with a quote in it).
      const gap = target !== undefined && tokens[i - 1]?.kind === "quoted-ident" ? " " : "";
      out.push(target === undefined ? token.text : gap + quoteIdent(target));
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
    const cast = token.kind === "string" ? castTypeAfter(tokens, i + 1) : undefined;
    if (cast !== undefined && (NAME_LITERAL_CASTS.has(cast) || OPERATOR_LITERAL_CASTS.has(cast))) {
      out.push(requalifyNameLiteral(token, map, OPERATOR_LITERAL_CASTS.has(cast)));
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

/** The type of a `::type` cast starting at `at` (`regclass` or `pg_catalog.regclass`), if any. */
function castTypeAfter(tokens: readonly Token[], at: number): string | undefined {
  if (tokens[at]?.text !== ":" || tokens[at + 1]?.text !== ":") return undefined;
  let type = tokens[at + 2];
  if (isIdent(type) && identName(type) === "pg_catalog" && tokens[at + 3]?.text === ".")
    type = tokens[at + 4];
  return isIdent(type) ? identName(type) : undefined;
}

function requalifyNameLiteral(token: Token, map: SchemaMapper, operator: boolean): string {
  // The deparser never writes E'' strings (standard_conforming_strings is on): left as they are.
  if (token.text.startsWith("E") || token.text.startsWith("e")) return token.text;
  const content = token.text.slice(1, -1).replaceAll("''", "'");
  const rewritten = requalifyName(content, map, operator);
  return rewritten === content ? token.text : quoteLiteral(rewritten);
}

/**
 * The text of a reg* value as its output function prints it (`app.users`, `app.f(integer,app.t)`,
 * `app.===(integer,integer)`), its names pointed where the mapper says.
 */
export function requalifyName(text: string, map: SchemaMapper, operator: boolean): string {
  return operator ? requalifyOperatorName(text, map) : requalify(text, map);
}

/** `schema.op` then, for regoperator, `(left,right)`, whose types are rewritten like any name. */
function requalifyOperatorName(text: string, map: SchemaMapper): string {
  const tokens = tokenize(text);
  const schema = tokens[0];
  if (!isIdent(schema) || tokens[1]?.text !== ".") return requalify(text, map);
  let end = 2;
  while (tokens[end]?.kind === "op" && tokens[end]?.text !== "(") end++;
  const name = tokens
    .slice(2, end)
    .map((t) => t.text)
    .join("");
  if (name === "") return requalify(text, map);
  const target = map(identName(schema), name);
  const rest = tokens
    .slice(end)
    .map((t) => t.text)
    .join("");
  return `${target === undefined ? schema.text : quoteIdent(target)}.${name}${requalify(rest, map)}`;
}
