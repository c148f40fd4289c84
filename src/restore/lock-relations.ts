import type pg from "pg";
import { z } from "zod";
import { queryRows, text } from "../db/rows.js";
import { execute } from "../db/session.js";
import { qualify } from "../sql/quote.js";

// Partitions are locked through their parent; ORDER BY oid: every caller takes them in one order.
const SQL = `
SELECT n.nspname AS schema, c.relname AS name
FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = ANY($1::text[]) AND c.relkind IN ('r', 'p', 'v') AND NOT c.relispartition
ORDER BY c.oid`;

const Named = z.object({ schema: text, name: text });

/**
 * Takes ACCESS EXCLUSIVE on every table and view of the schemas, in one statement of the caller's
 * destination transaction, before it changes them (the cut-over moves their objects, a cleanup drops
 * them): it then holds everything it needs or, after lock_timeout, nothing at all, and no view or
 * foreign key can start depending on them meanwhile.
 */
export async function lockSchemaRelations(
  client: pg.Client,
  schemas: readonly string[],
  what: string,
  kind: "cutover" | "ddl",
): Promise<void> {
  const relations = await queryRows(client, "relations of the schemas", SQL, [schemas], Named, "destination");
  await lockRelations(client, relations, what, kind);
}

/** ACCESS EXCLUSIVE on these tables and views, in one statement of the caller's transaction. */
export async function lockRelations(
  client: pg.Client,
  relations: readonly { readonly schema: string; readonly name: string }[],
  what: string,
  kind: "cutover" | "ddl",
): Promise<void> {
  if (relations.length === 0) return;
  const names = relations.map((r) => qualify(r.schema, r.name));
  await execute(client, `LOCK TABLE ${names.join(", ")} IN ACCESS EXCLUSIVE MODE`, what, kind);
}
