import type pg from "pg";
import { dropToolSchema } from "./drop-tool-schema.js";
import { STAGING_PREFIX } from "./meta.js";

/**
 * Finds staging schemas left by an interrupted run and drops them. Runs only while holding the
 * destination lock, so no live run owns them.
 */
export async function dropLeftoverStaging(client: pg.Client): Promise<string[]> {
  const result = await client.query<{ name: string }>(
    "SELECT nspname AS name FROM pg_catalog.pg_namespace WHERE starts_with(nspname, $1) ORDER BY 1",
    [STAGING_PREFIX],
  );
  for (const row of result.rows) await dropToolSchema(client, row.name);
  return result.rows.map((r) => r.name);
}
