import type pg from "pg";
import { z } from "zod";
import { DIRECT_ENDPOINT_HINT, queryWithin } from "../db/pooler.js";
import { validRow } from "../db/rows.js";
import { baseSettings, begin, setLocalSql, transactionSettings } from "../db/session.js";
import { PgsyncError, serverFields, wrapError } from "../errors.js";
import type { QualifiedName } from "../introspect/model.js";
import { qualify, quoteLiteral } from "../sql/quote.js";

/**
 * The source's consistent view. One connection opens a REPEATABLE READ transaction and exports its
 * snapshot; every other source connection imports it, so all reads see the same moment. The
 * exporting transaction stays open (idle) until the run ends, which keeps the snapshot valid; a long
 * snapshot holds back VACUUM on the source, so runs should not linger.
 */
export async function exportSnapshot(client: pg.Client): Promise<string> {
  try {
    await begin(client, readerSettings(client), "ISOLATION LEVEL REPEATABLE READ READ ONLY");
    const sql = "SELECT pg_catalog.pg_export_snapshot() AS snapshot";
    const row = validRow(await client.query(sql), z.object({ snapshot: z.string().min(1) }), {
      name: "snapshot export",
      sql,
      side: "source",
      kind: "copy",
    });
    return row.snapshot;
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
    await client.query(setLocalSql({ lock_timeout: `${lockSeconds}s` }));
    await client.query(sql);
    // Back to the run's own value: later statements of this long transaction wait on no lock.
    await client.query(setLocalSql({ lock_timeout: 0 }));
  } catch (error) {
    throw wrapError("copy", "locking the source tables", error, { side: "source", sql });
  }
}

/** The settings of every transaction that reads the source (the exporter's and the importers'). */
function readerSettings(client: pg.Client) {
  return transactionSettings(client, { ...baseSettings(0), row_security: "off" });
}

export interface ImportOptions {
  /**
   * Give up after this many seconds and return false instead of waiting on. Behind a pooler whose
   * server connections are all taken (the exporter holds one for the whole run), the import would
   * queue until the pooler's own timeout; the caller then copies with fewer workers.
   */
  readonly waitSeconds?: number;
}

/**
 * Joins a worker connection to the exported snapshot: BEGIN, SET TRANSACTION SNAPSHOT (which must
 * come before any query) and the SET LOCALs, in one message. Returns false when `waitSeconds` ran
 * out first; the client is then closed.
 */
export async function importSnapshot(
  client: pg.Client,
  snapshot: string,
  options: ImportOptions = {},
): Promise<boolean> {
  const sql = [
    "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
    `SET TRANSACTION SNAPSHOT ${quoteLiteral(snapshot)}`,
    setLocalSql(readerSettings(client)),
  ].join("; ");
  try {
    if (options.waitSeconds === undefined) {
      await client.query(sql);
      return true;
    }
    return (await queryWithin(client, sql, options.waitSeconds)) !== undefined;
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {});
    if (error instanceof PgsyncError) throw error;
    // 22023 "invalid snapshot identifier": the snapshot lives on one server only, so a pooler or
    // proxy that sent this connection to another server (a replica) cannot be used here.
    const hint =
      serverFields(error)?.code === "22023"
        ? ` (the connection may have reached another server than the exporting one; ${DIRECT_ENDPOINT_HINT})`
        : "";
    throw wrapError("copy", `joining the source snapshot${hint}`, error, { side: "source" });
  }
}
