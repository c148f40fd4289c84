import type pg from "pg";
import { z } from "zod";
import type { SchemaObject } from "../model.js";
import { NOT_EXTENSION_MEMBER, oid, queryRows, text } from "../rows.js";

/** Prefix of every schema the tool itself creates (metadata, staging, snapshots); never synced. */
export const TOOL_SCHEMA_PREFIX = "_pgsync";

const SQL = `
SELECT n.oid, n.nspname AS name
FROM pg_catalog.pg_namespace n
WHERE n.nspname NOT LIKE 'pg\\_%' AND n.nspname <> 'information_schema'
  AND n.nspname NOT LIKE '${TOOL_SCHEMA_PREFIX.replaceAll("_", "\\_")}%'
  AND ${NOT_EXTENSION_MEMBER("pg_catalog.pg_namespace", "n.oid")}
ORDER BY n.nspname`;

const Row = z.object({ oid, name: text });

export async function readSchemas(client: pg.Client): Promise<SchemaObject[]> {
  return queryRows(client, "schemas", SQL, [], Row);
}
