import type pg from "pg";
import { baseSettings, begin } from "../db/session.js";
import { qualify } from "../ddl/quote.js";
import { PgsyncError, wrapError } from "../errors.js";
import type { QualifiedName } from "../introspect/model.js";

/**
 * The source's consistent view. One connection opens a REPEATABLE READ transaction and exports its
 * snapshot; every other source connection imports it, so all reads see the same moment. The
 * exporting transaction stays open (idle) until the run ends, which keeps the snapshot valid; a long
 * snapshot holds back VACUUM on the source, so runs should not linger.
 */
export async function exportSnapshot(client: pg.Client): Promise<string> {
  try {
    await begin(
      client,
      { ...baseSettings(0), row_security: "off" },
      "ISOLATION LEVEL REPEATABLE READ READ ONLY",
    );
    const result = await client.query<{ snapshot: string }>(
      "SELECT pg_catalog.pg_export_snapshot() AS snapshot",
    );
    const snapshot = result.rows[0]?.snapshot;
    if (!snapshot) throw new Error("pg_export_snapshot() returned nothing");
    return snapshot;
  } catch (error) {
    throw wrapError("copy", "exporting a snapshot of the source", error, { side: "source" });
  }
}

/** Locks the tables the run reads in ACCESS SHARE mode, so that no DDL changes them under the copy. */
export async function lockSourceTables(
  client: pg.Client,
  tables: readonly QualifiedName[],
  lockSeconds: number,
): Promise<void> {
  if (tables.length === 0) return;
  const sql = `LOCK TABLE ${tables.map((t) => qualify(t.schema, t.name)).join(", ")} IN ACCESS SHARE MODE`;
  try {
    await client.query(`SET LOCAL lock_timeout = '${lockSeconds}s'`);
    await client.query(sql);
    await client.query("SET LOCAL lock_timeout = 0");
  } catch (error) {
    throw wrapError("copy", "locking the source tables", error, { side: "source", sql });
  }
}

/** Joins a worker connection to the exported snapshot. */
export async function importSnapshot(client: pg.Client, snapshot: string): Promise<void> {
  try {
    await client.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    await client.query(`SET TRANSACTION SNAPSHOT '${snapshot.replaceAll("'", "''")}'`);
    const settings = { ...baseSettings(0), row_security: "off" };
    for (const [k, v] of Object.entries(settings))
      await client.query(`SET LOCAL ${k} = '${String(v).replaceAll("'", "''")}'`);
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {});
    if (error instanceof PgsyncError) throw error;
    throw wrapError("copy", "joining the source snapshot", error, { side: "source" });
  }
}
