import type pg from "pg";
import { baseSettings, execute, inTransaction } from "../db/session.js";
import { quoteIdent, quoteLiteral } from "../ddl/quote.js";
import { META_SCHEMA, SNAPSHOT_PREFIX } from "./meta.js";
import { listMovable } from "./movable.js";

export interface SwapSchema {
  /** The live schema name readers use. */
  readonly live: string;
  /** The schema whose contents become the live contents (a staging schema, or a snapshot on rollback). */
  readonly incoming: string;
}

export interface SwapOptions {
  readonly schemas: readonly SwapSchema[];
  readonly runId: string;
  /** Snapshot id, e.g. 20261126T060000Z-ab12cd34; the snapshot schemas are named after it. */
  readonly snapshotId: string;
  readonly reason: "run" | "rollback";
  readonly lockSeconds: number;
  readonly statementSeconds: number;
  /** Called inside the transaction just before COMMIT, for fault injection and extra bookkeeping. */
  readonly beforeCommit?: () => Promise<void>;
}

export interface SwapResult {
  readonly snapshotSchemas: readonly { readonly original: string; readonly snapshot: string }[];
  readonly movedOut: number;
  readonly movedIn: number;
}

/**
 * The cut-over: in one short destination transaction, every object of each live schema moves into a
 * new snapshot schema, then every object of the incoming schema moves into the live schema. Schemas
 * are never renamed, so this works where the role cannot rename a schema (PostgreSQL 14's `public`),
 * objects that extensions own stay in place, and readers see the old state or the new one, never a
 * mix. Moving is a catalog change: no data is rewritten.
 */
export async function swapSchemas(client: pg.Client, options: SwapOptions): Promise<SwapResult> {
  const settings = { ...baseSettings(options.statementSeconds), lock_timeout: `${options.lockSeconds}s` };
  return inTransaction(client, settings, async () => {
    const snapshotSchemas: { original: string; snapshot: string }[] = [];
    let movedOut = 0;
    let movedIn = 0;
    for (const [i, s] of options.schemas.entries()) {
      const liveOid = await schemaOid(client, s.live);
      if (liveOid === undefined) continue;
      const snapshot = `${SNAPSHOT_PREFIX}${options.snapshotId}_${i + 1}`.slice(0, 63);
      await execute(
        client,
        `CREATE SCHEMA ${quoteIdent(snapshot)}`,
        `snapshot schema ${quoteIdent(snapshot)}`,
        "cutover",
      );
      for (const m of await listMovable(client, liveOid)) {
        await execute(client, m.alterPrefix + quoteIdent(snapshot), m.object, "cutover");
        movedOut++;
      }
      snapshotSchemas.push({ original: s.live, snapshot });
      await execute(
        client,
        `INSERT INTO ${META_SCHEMA}.snapshots (snapshot_schema, original_schema, snapshot_id, run_id, reason)
         VALUES (${[snapshot, s.live, options.snapshotId, options.runId, options.reason].map(quoteLiteral).join(", ")})`,
        "snapshot record",
        "cutover",
      );
    }
    for (const s of options.schemas) {
      const incomingOid = await schemaOid(client, s.incoming);
      if (incomingOid === undefined) continue;
      await execute(
        client,
        `CREATE SCHEMA IF NOT EXISTS ${quoteIdent(s.live)}`,
        `schema ${quoteIdent(s.live)}`,
        "cutover",
      );
      for (const m of await listMovable(client, incomingOid)) {
        await execute(client, m.alterPrefix + quoteIdent(s.live), m.object, "cutover");
        movedIn++;
      }
      // RESTRICT: the incoming schema is empty now; if anything remained, failing is safer than cascading.
      await execute(
        client,
        `DROP SCHEMA ${quoteIdent(s.incoming)} RESTRICT`,
        `schema ${quoteIdent(s.incoming)}`,
        "cutover",
      );
      await execute(
        client,
        `DELETE FROM ${META_SCHEMA}.snapshots WHERE snapshot_schema = ${quoteLiteral(s.incoming)}`,
        "snapshot record",
        "cutover",
      );
    }
    await options.beforeCommit?.();
    return { snapshotSchemas, movedOut, movedIn };
  });
}

async function schemaOid(client: pg.Client, name: string): Promise<number | undefined> {
  const result = await client.query<{ oid: number }>(
    "SELECT oid FROM pg_catalog.pg_namespace WHERE nspname = $1",
    [name],
  );
  return result.rows[0]?.oid;
}
