import type pg from "pg";
import { z } from "zod";
import { text } from "../db/rows.js";
import { errorMessage } from "../errors.js";
import { describeObject } from "../sql/describe.js";
import { STAGING_SCHEMA_PATTERN } from "../sql/tool-schemas.js";
import { dropToolSchemas } from "./drop-tool-schema.js";
import { META_SCHEMA, readDestination, SNAPSHOT_PREFIX } from "./meta.js";

export interface LeftoverReport {
  /** Staging schemas of interrupted runs that were dropped. */
  readonly dropped: readonly string[];
  /** Leftovers that could not be cleaned, each with the reason (they stay for a person to look at). */
  readonly problems: readonly string[];
  /** Snapshot records whose schemas no longer exist (removed by hand), deleted. */
  readonly orphanRecords: readonly string[];
}

const Named = z.object({ name: text });
/**
 * Finds what an interrupted run left on the destination and cleans it: its staging schemas (grouped
 * by run, because the schemas of one run reference each other) and snapshot records whose schema
 * is gone. Runs only while holding the destination lock, so no live run owns them. (Locks need no
 * cleaning: the advisory lock and every open transaction end with the dead run's sessions.)
 */
export async function cleanLeftovers(client: pg.Client, statementSeconds = 300): Promise<LeftoverReport> {
  const staging = await readDestination(
    client,
    "staging schemas",
    // Exactly the tool's names: a live schema that merely starts with the prefix is a user's.
    "SELECT nspname AS name FROM pg_catalog.pg_namespace WHERE nspname ~ $1 ORDER BY 1",
    [STAGING_SCHEMA_PATTERN],
    Named,
  );
  const byRun = new Map<string, string[]>();
  for (const { name } of staging) {
    // _pgsync_stage_<runid>_<n>: the run id is what stands between the prefix and the last "_".
    const run = name.slice(0, name.lastIndexOf("_"));
    byRun.set(run, [...(byRun.get(run) ?? []), name]);
  }
  const dropped: string[] = [];
  const problems: string[] = [];
  for (const names of byRun.values()) {
    try {
      await dropToolSchemas(client, names, statementSeconds);
      dropped.push(...names);
    } catch (error) {
      problems.push(errorMessage(error));
    }
  }
  // Before the first run there is no metadata yet, hence no snapshot records to check; a role that
  // may not change the metadata leaves it to a later run (the privilege check reports what it lacks).
  const [meta] = await readDestination(
    client,
    "snapshot records writable",
    `SELECT pg_catalog.has_schema_privilege(n.oid, 'USAGE') AND pg_catalog.has_table_privilege(c.oid, 'DELETE') AS ok
     FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = $1 AND c.relname = 'snapshots'`,
    [META_SCHEMA],
    z.object({ ok: z.boolean() }),
  );
  if (!meta?.ok) return { dropped, problems, orphanRecords: [] };
  const orphans = await readDestination(
    client,
    "orphan snapshot records",
    `DELETE FROM ${META_SCHEMA}.snapshots s
     WHERE NOT EXISTS (SELECT 1 FROM pg_catalog.pg_namespace n WHERE n.nspname = s.snapshot_schema)
     RETURNING snapshot_schema`,
    [],
    z.object({ snapshot_schema: text }),
  );
  const unrecorded = await readDestination(
    client,
    "unrecorded snapshot schemas",
    `SELECT nspname AS name FROM pg_catalog.pg_namespace n
     WHERE starts_with(nspname, $1)
       AND NOT EXISTS (SELECT 1 FROM ${META_SCHEMA}.snapshots s WHERE s.snapshot_schema = n.nspname)
     ORDER BY 1`,
    [SNAPSHOT_PREFIX],
    Named,
  );
  for (const { name } of unrecorded) {
    problems.push(
      `${describeObject("schema", name)} looks like a snapshot but has no record in ${META_SCHEMA}.snapshots; it is left alone (drop it by hand if it is not needed)`,
    );
  }
  return { dropped, problems, orphanRecords: orphans.map((r) => r.snapshot_schema) };
}
