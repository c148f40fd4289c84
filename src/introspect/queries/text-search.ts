import type pg from "pg";
import { z } from "zod";
import type { TextSearchConfiguration, TextSearchDictionary } from "../model.js";
import { NOT_EXTENSION_MEMBER, oid, queryRows, text, textOrNull } from "../rows.js";

// Text search dictionaries: a template (built in, or an extension's) and its options, which the
// catalog keeps as the text of the option list (`stopwords = 'english', accept = 'false'`).
const DICTIONARIES_SQL = `
SELECT d.oid, n.nspname AS schema, d.dictname AS name,
       tn.nspname AS template_schema, t.tmplname AS template_name, d.dictinitoption AS options
FROM pg_catalog.pg_ts_dict d
JOIN pg_catalog.pg_namespace n ON n.oid = d.dictnamespace
JOIN pg_catalog.pg_ts_template t ON t.oid = d.dicttemplate
JOIN pg_catalog.pg_namespace tn ON tn.oid = t.tmplnamespace
WHERE d.dictnamespace = ANY($1::oid[]) AND ${NOT_EXTENSION_MEMBER("pg_catalog.pg_ts_dict", "d.oid")}
ORDER BY n.nspname, d.dictname`;

export const TextSearchDictionaryRow = z.object({
  oid,
  schema: text,
  name: text,
  template_schema: text,
  template_name: text,
  options: textOrNull,
});
export type TextSearchDictionaryRow = z.infer<typeof TextSearchDictionaryRow>;

export function readTextSearchDictionaries(
  client: pg.Client,
  schemaOids: readonly number[],
): Promise<TextSearchDictionaryRow[]> {
  return queryRows(
    client,
    "text search dictionaries",
    DICTIONARIES_SQL,
    [schemaOids],
    TextSearchDictionaryRow,
  );
}

// Text search configurations: a parser, and for each token type (named by the parser's alias, which
// is what ALTER ... ADD MAPPING FOR takes) its dictionaries in the order they are consulted.
const CONFIGURATIONS_SQL = `
SELECT c.oid, n.nspname AS schema, c.cfgname AS name, pn.nspname AS parser_schema, p.prsname AS parser_name,
       coalesce((
         SELECT json_agg(json_build_object('token_type', tt.alias, 'dictionaries', m.dictionaries) ORDER BY m.maptokentype)
         FROM (SELECT mp.maptokentype,
                      json_agg(json_build_object('schema', dn.nspname, 'name', d.dictname) ORDER BY mp.mapseqno) AS dictionaries
               FROM pg_catalog.pg_ts_config_map mp
               JOIN pg_catalog.pg_ts_dict d ON d.oid = mp.mapdict
               JOIN pg_catalog.pg_namespace dn ON dn.oid = d.dictnamespace
               WHERE mp.mapcfg = c.oid GROUP BY mp.maptokentype) m
         JOIN pg_catalog.ts_token_type(c.cfgparser) tt ON tt.tokid = m.maptokentype), '[]') AS mappings
FROM pg_catalog.pg_ts_config c
JOIN pg_catalog.pg_namespace n ON n.oid = c.cfgnamespace
JOIN pg_catalog.pg_ts_parser p ON p.oid = c.cfgparser
JOIN pg_catalog.pg_namespace pn ON pn.oid = p.prsnamespace
WHERE c.cfgnamespace = ANY($1::oid[]) AND ${NOT_EXTENSION_MEMBER("pg_catalog.pg_ts_config", "c.oid")}
ORDER BY n.nspname, c.cfgname`;

const QualifiedRow = z.object({ schema: text, name: text });

export const TextSearchConfigurationRow = z.object({
  oid,
  schema: text,
  name: text,
  parser_schema: text,
  parser_name: text,
  mappings: z.array(z.object({ token_type: text, dictionaries: z.array(QualifiedRow) })),
});
export type TextSearchConfigurationRow = z.infer<typeof TextSearchConfigurationRow>;

export function readTextSearchConfigurations(
  client: pg.Client,
  schemaOids: readonly number[],
): Promise<TextSearchConfigurationRow[]> {
  return queryRows(
    client,
    "text search configurations",
    CONFIGURATIONS_SQL,
    [schemaOids],
    TextSearchConfigurationRow,
  );
}

export function parseTextSearchDictionary(r: TextSearchDictionaryRow): TextSearchDictionary {
  return {
    oid: r.oid,
    schema: r.schema,
    name: r.name,
    template: { schema: r.template_schema, name: r.template_name },
    ...(r.options !== null && r.options !== "" ? { options: r.options } : {}),
  };
}

export function parseTextSearchConfiguration(r: TextSearchConfigurationRow): TextSearchConfiguration {
  return {
    oid: r.oid,
    schema: r.schema,
    name: r.name,
    parser: { schema: r.parser_schema, name: r.parser_name },
    mappings: r.mappings.map((m) => ({ tokenType: m.token_type, dictionaries: m.dictionaries })),
  };
}
