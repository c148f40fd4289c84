import type pg from "pg";
import { z } from "zod";
import { oid, queryRows, text } from "../rows.js";

// Every extension but plpgsql (always present). An extension creates its own objects; the copy
// only needs it installed on the destination, in the same schema.
const SQL = `
SELECT e.oid, e.extname AS name, n.nspname AS schema, e.extversion AS version
FROM pg_catalog.pg_extension e JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace
WHERE e.extname <> 'plpgsql'
ORDER BY e.extname`;

export const ExtensionRow = z.object({ oid, name: text, schema: text, version: text });
export type ExtensionRow = z.infer<typeof ExtensionRow>;

export function readExtensions(client: pg.Client): Promise<ExtensionRow[]> {
  return queryRows(client, "extensions", SQL, [], ExtensionRow);
}
