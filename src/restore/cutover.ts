import type pg from "pg";
import { z } from "zod";
import { oid, queryRows } from "../db/rows.js";
import { baseSettings, execute, inTransaction } from "../db/session.js";
import { executeInMessages } from "../db/statement-messages.js";
import { PgsyncError, sqlState } from "../errors.js";
import { quoteIdent, quoteLiteral } from "../sql/quote.js";
import { lockSchemaRelations } from "./lock-relations.js";
import { META_SCHEMA, SNAPSHOT_PREFIX } from "./meta.js";
import { listMovable, type MoveStatement } from "./movable.js";
import { describeLockHolders, waitForOlderSnapshots } from "./readers.js";

export interface SwapSchema {
  /** The live schema name readers use. */
  readonly live: string;
  /** The schema whose contents become the live contents (a staging schema, or a snapshot on rollback). */
  readonly incoming: string;
  /**
   * False when the incoming contents stand for "this schema did not exist" (a snapshot taken of a
   * schema a run created): the live schema is emptied and then dropped if nothing is left in it.
   */
  readonly incomingExisted?: boolean;
}

/** Where a test can interrupt the cut-over transaction (see FAULT_POINTS). */
export type CutoverPoint = "cutover:locked" | "cutover:moved-out" | "cutover:before-commit";

export interface SwapOptions {
  readonly schemas: readonly SwapSchema[];
  readonly runId: string;
  /** Snapshot id, e.g. 20261126t060000z_ab12cd34; the snapshot schemas are named after it. */
  readonly snapshotId: string;
  readonly reason: "run" | "rollback";
  /** The longest the cut-over waits for readers, in total, before it gives up and changes nothing. */
  readonly lockSeconds: number;
  readonly statementSeconds: number;
  /** application_name of the caller's own sessions, which the wait for readers ignores. */
  readonly ownApplicationName?: string;
  /** Extra bookkeeping inside the transaction, just before COMMIT. */
  readonly beforeCommit?: () => Promise<void>;
  /** Test hook at each cut-over fault point. */
  readonly fault?: (point: CutoverPoint) => Promise<void> | void;
  /** Told (once) when the cut-over has to wait for other sessions, naming them. */
  readonly onWait?: (message: string) => void;
}

export interface SwapResult {
  readonly snapshotSchemas: readonly { readonly original: string; readonly snapshot: string }[];
  readonly movedOut: number;
  readonly movedIn: number;
}

/**
 * Each lock attempt gives up after this long and retries, so a reader that queues behind the
 * cut-over is never held up for longer, and a deadlock with a reader cannot form (PostgreSQL checks
 * for deadlocks after one second).
 */
const ATTEMPT_MS = 500;
const LOCK_NOT_AVAILABLE = "55P03";

/**
 * The cut-over: in one short destination transaction, every object of each live schema moves into a
 * new snapshot schema, then every object of the incoming schema moves into the live schema. Schemas
 * are never renamed, so this works where the role cannot rename a schema (PostgreSQL 14's `public`),
 * objects that extensions own stay in place, and readers see the old state or the new one, never a
 * mix. Moving is a catalog change: no data is rewritten.
 *
 * Before the transaction it waits for sessions whose snapshot predates the staged data (they would
 * see the new tables empty); the transaction then locks every table and view involved up front, in
 * short attempts. Both waits share `lockSeconds`; when it runs out the cut-over fails without
 * changing anything and names the sessions it waited for.
 */
export async function swapSchemas(client: pg.Client, options: SwapOptions): Promise<SwapResult> {
  const deadline = Date.now() + options.lockSeconds * 1000;
  let told = false;
  const tell = (message: string) => {
    if (!told) options.onWait?.(message);
    told = true;
  };
  await waitForOlderSnapshots(client, {
    deadline,
    lockSeconds: options.lockSeconds,
    ...(options.ownApplicationName ? { ownApplicationName: options.ownApplicationName } : {}),
    onWait: tell,
  });
  const schemaNames = options.schemas.flatMap((s) => [s.live, s.incoming]);
  for (;;) {
    const left = deadline - Date.now();
    const attemptMs = Math.max(50, Math.min(ATTEMPT_MS, left));
    try {
      return await inTransaction(
        client,
        { ...baseSettings(options.statementSeconds), lock_timeout: `${attemptMs}ms` },
        () => swapInTransaction(client, options),
      );
    } catch (error) {
      if (sqlState(error) !== LOCK_NOT_AVAILABLE) throw error;
      const holders = await describeLockHolders(client, schemaNames);
      if (Date.now() + 100 >= deadline) {
        throw new PgsyncError(
          "cutover",
          `the cut-over could not lock the tables it swaps within ${options.lockSeconds} seconds (timeouts.lockSeconds)${holders ? `: ${holders}` : ""}; nothing was changed`,
          { side: "destination" },
          { cause: error },
        );
      }
      if (holders) tell(`the cut-over is waiting for ${holders}`);
      await new Promise((r) => setTimeout(r, 100 + Math.floor(Math.random() * 150)));
    }
  }
}

async function swapInTransaction(client: pg.Client, options: SwapOptions): Promise<SwapResult> {
  await lockSchemaRelations(
    client,
    options.schemas.flatMap((s) => [s.live, s.incoming]),
    "locking the swapped tables",
    "cutover",
  );
  await options.fault?.("cutover:locked");
  const snapshotSchemas: { original: string; snapshot: string }[] = [];
  let movedOut = 0;
  let movedIn = 0;
  for (const [i, s] of options.schemas.entries()) {
    const snapshot = `${SNAPSHOT_PREFIX}${options.snapshotId}_${i + 1}`.slice(0, 63);
    await execute(
      client,
      `CREATE SCHEMA ${quoteIdent(snapshot)}`,
      `snapshot schema ${quoteIdent(snapshot)}`,
      "cutover",
    );
    const liveOid = await schemaOid(client, s.live);
    if (liveOid !== undefined) {
      movedOut += await moveAll(client, await listMovable(client, liveOid), snapshot);
    }
    // A schema the swap creates gets an empty snapshot, so that a rollback can remove it again.
    snapshotSchemas.push({ original: s.live, snapshot });
    const values = [snapshot, s.live, options.snapshotId, options.runId, options.reason].map(quoteLiteral);
    await execute(
      client,
      `INSERT INTO ${META_SCHEMA}.snapshots (snapshot_schema, original_schema, snapshot_id, run_id, reason, existed)
       VALUES (${values.join(", ")}, ${liveOid !== undefined})`,
      "snapshot record",
      "cutover",
    );
  }
  await options.fault?.("cutover:moved-out");
  for (const s of options.schemas) {
    const incomingOid = await schemaOid(client, s.incoming);
    if (s.incomingExisted === false) {
      await dropIfEmpty(client, s.live);
    } else if (incomingOid !== undefined) {
      await execute(
        client,
        `CREATE SCHEMA IF NOT EXISTS ${quoteIdent(s.live)}`,
        `schema ${quoteIdent(s.live)}`,
        "cutover",
      );
      movedIn += await moveAll(client, await listMovable(client, incomingOid), s.live);
    }
    if (incomingOid !== undefined) {
      // RESTRICT: the incoming schema is empty now; if anything remained, failing is safer than cascading.
      await execute(
        client,
        `DROP SCHEMA ${quoteIdent(s.incoming)} RESTRICT`,
        `schema ${quoteIdent(s.incoming)}`,
        "cutover",
      );
    }
    await execute(
      client,
      `DELETE FROM ${META_SCHEMA}.snapshots WHERE snapshot_schema = ${quoteLiteral(s.incoming)}`,
      "snapshot record",
      "cutover",
    );
  }
  await options.beforeCommit?.();
  await options.fault?.("cutover:before-commit");
  return { snapshotSchemas, movedOut, movedIn };
}

/** Drops a live schema that a rollback emptied, unless something (an extension's objects) is still in it. */
async function dropIfEmpty(client: pg.Client, schema: string): Promise<void> {
  await client.query("SAVEPOINT pgsync_drop_schema");
  try {
    await client.query(`DROP SCHEMA IF EXISTS ${quoteIdent(schema)} RESTRICT`);
    await client.query("RELEASE SAVEPOINT pgsync_drop_schema");
  } catch {
    await client.query("ROLLBACK TO SAVEPOINT pgsync_drop_schema");
  }
}

async function schemaOid(client: pg.Client, name: string): Promise<number | undefined> {
  const [found] = await queryRows(
    client,
    "schema oid",
    "SELECT oid FROM pg_catalog.pg_namespace WHERE nspname = $1",
    [name],
    z.object({ oid }),
    "destination",
  );
  return found?.oid;
}

/** Moves the objects into `schema`, a hundred to a message (executeInMessages). Returns how many moved. */
async function moveAll(
  client: pg.Client,
  movable: readonly MoveStatement[],
  schema: string,
): Promise<number> {
  const moves = movable.map((m) => ({ sql: m.alterPrefix + quoteIdent(schema), object: m.object }));
  await executeInMessages(client, moves, "pgsync_moves", "cutover");
  return moves.length;
}
