import type pg from "pg";
import { z } from "zod";
import { NOT_EXTENSION_MEMBER, oid, queryRows, text, textOrNull } from "../rows.js";

/**
 * The locale columns of pg_collation by the source's major version: the one place where their
 * differences are spelled out.
 * - 14: collcollate and collctype are `name`; an ICU collation keeps its locale in both.
 * - 15: they become `text` (NULL for ICU), and colliculocale holds the ICU locale.
 * - 16: collicurules (ICU tailoring rules) is added.
 * - 17: colliculocale is renamed colllocale (it also holds the builtin provider's locale).
 */
export function collationLocaleColumns(major: number): string {
  if (major <= 14) {
    return `CASE WHEN co.collprovider = 'i' THEN NULL ELSE co.collcollate::text END AS lc_collate,
       CASE WHEN co.collprovider = 'i' THEN NULL ELSE co.collctype::text END AS lc_ctype,
       CASE WHEN co.collprovider = 'i' THEN co.collcollate::text END AS locale, NULL::text AS icu_rules`;
  }
  const locale = major >= 17 ? "co.colllocale" : "co.colliculocale";
  const rules = major >= 16 ? "co.collicurules" : "NULL::text";
  return `co.collcollate AS lc_collate, co.collctype AS lc_ctype, ${locale} AS locale, ${rules} AS icu_rules`;
}

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
