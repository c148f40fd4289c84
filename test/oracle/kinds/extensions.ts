import { genericLines } from "../generic.js";
import { formatLine } from "../line.js";
import { type OracleContext, rows } from "../session.js";

/**
 * Extensions (their member objects are the extension's, left out everywhere else) and their
 * configuration tables (pg_extension_config_dump), whose rows the data fingerprint includes.
 */
export async function extensionLines(ctx: OracleContext): Promise<string[]> {
  if (!ctx.wholeDatabase) return [];
  const attributes = await genericLines(
    ctx,
    "extension.attributes",
    {
      catalog: "pg_extension",
      identity: "x.extname::text",
      where: "true",
      refs: {
        oid: "skip",
        extname: "skip",
        extowner: "skip",
        extnamespace: "namespace",
        extconfig: "skip",
        extcondition: "skip",
      },
    },
    [],
  );
  const config = await rows<{ ext: string; tbl: string; cond: string | null }>(
    ctx,
    `SELECT x.extname::text AS ext, c.t::regclass::text AS tbl, x.extcondition[c.n] AS cond
       FROM pg_extension x, unnest(x.extconfig) WITH ORDINALITY c(t, n)`,
  );
  return [...attributes, ...config.map((c) => formatLine("extension.config", c.ext, c.tbl, c.cond))];
}
