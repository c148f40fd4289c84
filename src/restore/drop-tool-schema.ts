import type pg from "pg";
import { quoteIdent } from "../ddl/quote.js";
import { PgsyncError } from "../errors.js";

// Objects outside the schema that depend on something inside it: views (through their rewrite
// rules), foreign keys, and columns typed with its types. DROP ... CASCADE would reach them.
const EXTERNAL_DEPENDENTS = `
SELECT count(*)::int AS n FROM pg_catalog.pg_depend d
JOIN pg_catalog.pg_namespace n ON n.nspname = $1
WHERE d.deptype = 'n' AND (
  (d.refclassid = 'pg_catalog.pg_class'::regclass AND d.refobjid IN (SELECT oid FROM pg_catalog.pg_class WHERE relnamespace = n.oid))
  OR (d.refclassid = 'pg_catalog.pg_type'::regclass AND d.refobjid IN (SELECT oid FROM pg_catalog.pg_type WHERE typnamespace = n.oid))
) AND (
  (d.classid = 'pg_catalog.pg_rewrite'::regclass AND d.objid IN (
     SELECT r.oid FROM pg_catalog.pg_rewrite r JOIN pg_catalog.pg_class v ON v.oid = r.ev_class WHERE v.relnamespace <> n.oid))
  OR (d.classid = 'pg_catalog.pg_constraint'::regclass AND d.objid IN (
     SELECT co.oid FROM pg_catalog.pg_constraint co JOIN pg_catalog.pg_class t ON t.oid = co.conrelid WHERE t.relnamespace <> n.oid))
  OR (d.classid = 'pg_catalog.pg_class'::regclass AND d.objid IN (
     SELECT oid FROM pg_catalog.pg_class WHERE relnamespace <> n.oid))
)`;

/**
 * Drops a schema the tool created (staging or snapshot). It refuses when an object outside the
 * schema depends on it, because CASCADE would then remove a live object.
 */
export async function dropToolSchema(client: pg.Client, name: string): Promise<void> {
  const result = await client.query<{ n: number }>(EXTERNAL_DEPENDENTS, [name]);
  const external = result.rows[0]?.n ?? 0;
  if (external > 0) {
    throw new PgsyncError(
      "guard",
      `schema ${quoteIdent(name)} was not dropped: ${external} object(s) outside it depend on it; drop them or the schema by hand`,
      { object: `schema ${quoteIdent(name)}`, side: "destination" },
    );
  }
  await client.query(`DROP SCHEMA IF EXISTS ${quoteIdent(name)} CASCADE`);
}
