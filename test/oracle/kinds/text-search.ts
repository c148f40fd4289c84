import { genericLines } from "../generic.js";
import { formatLine } from "../line.js";
import { notExtensionMember, type OracleContext, rows } from "../session.js";

const inSchemas = (catalog: string, namespace: string) =>
  `x.${namespace} = ANY($1::oid[]) AND ${notExtensionMember(catalog, "x.oid")}`;

/** Text search configurations (parser, mappings), dictionaries, parsers and templates. */
export async function textSearchLines(ctx: OracleContext): Promise<string[]> {
  const configurations = await genericLines(ctx, "text-search.configuration", {
    catalog: "pg_ts_config",
    identity: "x.oid::regconfig::text",
    where: inSchemas("pg_ts_config", "cfgnamespace"),
    refs: { oid: "skip", cfgname: "skip", cfgnamespace: "skip", cfgowner: "skip", cfgparser: "tsparser" },
  });
  const mappings = await rows<{ cfg: string; token: string; dictionaries: string }>(
    ctx,
    `SELECT x.oid::regconfig::text AS cfg, t.alias AS token,
            string_agg(m.mapdict::regdictionary::text, ', ' ORDER BY m.mapseqno) AS dictionaries
       FROM pg_ts_config x
       JOIN pg_ts_config_map m ON m.mapcfg = x.oid
       JOIN LATERAL ts_token_type(x.cfgparser) t ON t.tokid = m.maptokentype
      WHERE ${inSchemas("pg_ts_config", "cfgnamespace")}
      GROUP BY 1, 2`,
    [ctx.schemaOids],
  );
  const dictionaries = await genericLines(ctx, "text-search.dictionary", {
    catalog: "pg_ts_dict",
    identity: "x.oid::regdictionary::text",
    where: inSchemas("pg_ts_dict", "dictnamespace"),
    refs: {
      oid: "skip",
      dictname: "skip",
      dictnamespace: "skip",
      dictowner: "skip",
      dicttemplate: "tstemplate",
    },
  });
  const parsers = await genericLines(ctx, "text-search.parser", {
    catalog: "pg_ts_parser",
    identity:
      "format('%I.%I', (SELECT n.nspname FROM pg_catalog.pg_namespace n WHERE n.oid = x.prsnamespace), x.prsname)",
    where: inSchemas("pg_ts_parser", "prsnamespace"),
    refs: { oid: "skip", prsname: "skip", prsnamespace: "skip" },
  });
  const templates = await genericLines(ctx, "text-search.template", {
    catalog: "pg_ts_template",
    identity:
      "format('%I.%I', (SELECT n.nspname FROM pg_catalog.pg_namespace n WHERE n.oid = x.tmplnamespace), x.tmplname)",
    where: inSchemas("pg_ts_template", "tmplnamespace"),
    refs: { oid: "skip", tmplname: "skip", tmplnamespace: "skip" },
  });
  return [
    ...configurations,
    ...mappings.map((m) => formatLine("text-search.mapping", m.cfg, m.token, m.dictionaries)),
    ...dictionaries,
    ...parsers,
    ...templates,
  ];
}
