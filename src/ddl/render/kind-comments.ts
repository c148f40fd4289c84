import type { Comment } from "../../introspect/model.js";
import { quoteLiteral } from "../../sql/quote.js";
import type { RenderContext } from "./context.js";
import { type CarriedOperators, operatorName } from "./operators.js";

// COMMENT ON's keyword for the kinds of this module, as pg_identify_object names them. Their
// identities read back as SQL (`kx.docs`, `(kx.a AS kx.b)`, `rule_name on kx.t`, `kx.ops USING btree`).
const KEYWORDS: Record<string, string> = {
  collation: "COLLATION",
  cast: "CAST",
  "operator class": "OPERATOR CLASS",
  "operator family": "OPERATOR FAMILY",
  "text search configuration": "TEXT SEARCH CONFIGURATION",
  "text search dictionary": "TEXT SEARCH DICTIONARY",
  "statistics object": "STATISTICS",
  rule: "RULE",
  "foreign table": "FOREIGN TABLE",
  "foreign table column": "COLUMN",
};

/** An operator's identity: `schema.op(left,right)`, the schema quoted only when it needs it. */
const OPERATOR_IDENTITY = /^("(?:[^"]|"")+"|[^".]+)\.([^(]+)\((.*)\)$/s;

/**
 * COMMENT ON for collations, casts, operators and their classes and families, text search objects,
 * statistics objects, rules and foreign tables; undefined for other kinds.
 */
export function commentOnCarriedKind(
  c: Comment,
  ctx: RenderContext,
  carried: CarriedOperators,
): string | undefined {
  const text = quoteLiteral(c.text);
  if (c.kind === "operator") {
    const m = OPERATOR_IDENTITY.exec(c.identity);
    if (!m) return undefined;
    const schemaText = m[1] as string;
    const schema = schemaText.startsWith('"') ? schemaText.slice(1, -1).replaceAll('""', '"') : schemaText;
    const name = operatorName({ schema, name: m[2] as string }, ctx, carried);
    const args = (m[3] as string).replace(/^NONE,/, "NONE, ");
    return `COMMENT ON OPERATOR ${name} (${ctx.sql(args)}) IS ${text}`;
  }
  const keyword = KEYWORDS[c.kind];
  if (!keyword) return undefined;
  return `COMMENT ON ${keyword} ${ctx.sql(c.identity)} IS ${text}`;
}
