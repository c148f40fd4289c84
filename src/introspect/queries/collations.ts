import type pg from "pg";
import { z } from "zod";
import { collationLocaleColumns } from "../../sql/catalog-variants.js";
import type { Collation } from "../model.js";
import { NOT_EXTENSION_MEMBER, oid, queryRows, text, textOrNull } from "../rows.js";

function sql(major: number): string {
  return `
SELECT co.oid, n.nspname AS schema, co.collname AS name, co.collprovider::text AS provider,
       co.collisdeterministic AS deterministic,
       ${collationLocaleColumns(major)}
FROM pg_catalog.pg_collation co
JOIN pg_catalog.pg_namespace n ON n.oid = co.collnamespace
WHERE co.collnamespace = ANY($1::oid[]) AND ${NOT_EXTENSION_MEMBER("pg_catalog.pg_collation", "co.oid")}
ORDER BY n.nspname, co.collname`;
}

export const CollationRow = z.object({
  oid,
  schema: text,
  name: text,
  // c libc, i icu, b builtin (17+); d (the database default) never lives in a user schema.
  provider: z.enum(["c", "i", "b"]),
  deterministic: z.boolean(),
  lc_collate: textOrNull,
  lc_ctype: textOrNull,
  locale: textOrNull,
  icu_rules: textOrNull,
});
export type CollationRow = z.infer<typeof CollationRow>;

export function readCollations(
  client: pg.Client,
  schemaOids: readonly number[],
  major: number,
): Promise<CollationRow[]> {
  return queryRows(client, "collations", sql(major), [schemaOids], CollationRow);
}

const COLLATION_PROVIDERS: Record<CollationRow["provider"], Collation["provider"]> = {
  c: "libc",
  i: "icu",
  b: "builtin",
};

/** The locale columns were already brought to one shape per version by the query (src/sql/catalog-variants.ts). */
export function parseCollation(r: CollationRow): Collation {
  const provider = COLLATION_PROVIDERS[r.provider];
  return {
    oid: r.oid,
    schema: r.schema,
    name: r.name,
    provider,
    deterministic: r.deterministic,
    ...(provider === "libc" && r.lc_collate !== null ? { lcCollate: r.lc_collate } : {}),
    ...(provider === "libc" && r.lc_ctype !== null ? { lcCtype: r.lc_ctype } : {}),
    ...(provider !== "libc" && r.locale !== null ? { locale: r.locale } : {}),
    ...(r.icu_rules !== null ? { icuRules: r.icu_rules } : {}),
  };
}
