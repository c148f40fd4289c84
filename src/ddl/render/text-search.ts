import type { TextSearchConfiguration, TextSearchDictionary } from "../../introspect/model.js";
import { qualify, quoteIdent } from "../../sql/quote.js";
import type { RenderContext } from "./context.js";

/** The options are pasted as the catalog keeps them: the server wrote them to be read back. */
export function createTextSearchDictionary(d: TextSearchDictionary, ctx: RenderContext): string {
  const template = ctx.sql(qualify(d.template.schema, d.template.name));
  const options = d.options !== undefined ? `, ${d.options}` : "";
  return `CREATE TEXT SEARCH DICTIONARY ${ctx.staged(d)} (TEMPLATE = ${template}${options})`;
}

/**
 * CREATE TEXT SEARCH CONFIGURATION with its parser, then one ADD MAPPING per list of dictionaries
 * (token types that share a list share the statement), in token type order.
 */
export function createTextSearchConfiguration(c: TextSearchConfiguration, ctx: RenderContext): string[] {
  const name = ctx.staged(c);
  const byDictionaries = new Map<string, string[]>();
  for (const m of c.mappings) {
    const dictionaries = m.dictionaries.map((d) => ctx.sql(qualify(d.schema, d.name))).join(", ");
    byDictionaries.set(dictionaries, [...(byDictionaries.get(dictionaries) ?? []), quoteIdent(m.tokenType)]);
  }
  return [
    `CREATE TEXT SEARCH CONFIGURATION ${name} (PARSER = ${ctx.sql(qualify(c.parser.schema, c.parser.name))})`,
    ...[...byDictionaries].map(
      ([dictionaries, tokens]) =>
        `ALTER TEXT SEARCH CONFIGURATION ${name} ADD MAPPING FOR ${tokens.join(", ")} WITH ${dictionaries}`,
    ),
  ];
}
