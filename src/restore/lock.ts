import type pg from "pg";
import { z } from "zod";
import { backendPid, DIRECT_ENDPOINT_HINT, isPooled } from "../db/pooler.js";
import { validRow } from "../db/rows.js";
import { begin } from "../db/session.js";
import { PgsyncError, wrapError } from "../errors.js";

/**
 * One run at a time per destination database, across processes and machines, with an advisory
 * lock. Session-level and transaction-level advisory locks on the same key conflict, so every
 * form below excludes every other.
 */
// Fully qualified, operator included: the session-level form runs outside any pinned transaction.
const LOCK_KEY_SQL =
  "pg_catalog.hashtext('pgsync-ts:' OPERATOR(pg_catalog.||) pg_catalog.current_database())";

export interface LockOptions {
  readonly wait: boolean;
  readonly waitSeconds: number;
  /**
   * Called when the lock is first found taken, and again every `reportEverySeconds` while waiting,
   * with the seconds waited so far (a run that waits says so, and who it waits for).
   */
  readonly onWaiting?: (waitedSeconds: number) => Promise<void> | void;
  readonly reportEverySeconds?: number;
}

/**
 * The run's lock: a transaction-level advisory lock, taken in a transaction that stays open on a
 * connection dedicated to it until the run ends. It works directly and behind a transaction pooler
 * alike: an open transaction keeps its server connection, and the server releases the lock when the
 * transaction ends (ROLLBACK, the connection closing, or the process being killed), so no stale lock
 * is left. The transaction never writes and, in READ COMMITTED, holds no snapshot between
 * statements, so it does not hold back VACUUM. The client must not be used for anything else.
 */
export async function holdDestinationLock(client: pg.Client, options: LockOptions): Promise<void> {
  try {
    // idle_in_transaction_session_timeout (and transaction_timeout on 17+, added by begin) = 0: a
    // provider's role-level limit must not end the transaction, and with it the lock, mid-run.
    await begin(client, {
      statement_timeout: "60s",
      lock_timeout: 0,
      idle_in_transaction_session_timeout: 0,
    });
  } catch (error) {
    throw wrapError("connection", "opening the transaction that holds the destination lock", error, {
      side: "destination",
    });
  }
  await pollLock(client, options, "pg_try_advisory_xact_lock", async () => {
    await client.query("ROLLBACK").catch(() => {});
  });
}

/**
 * A session-level advisory lock on a connection the caller keeps using for its own transactions.
 * Behind a transaction pooler a session lock would stay on whichever server connection took it,
 * which the pooler then hands to other clients, so it is refused there: use holdDestinationLock on
 * a dedicated connection, or the direct endpoint.
 */
export async function acquireDestinationLock(client: pg.Client, options: LockOptions): Promise<void> {
  if (isPooled(client, await backendPid(client))) {
    throw new PgsyncError(
      "guard",
      `the destination URL goes through a connection pooler, where the session-level destination lock cannot be held safely; ${DIRECT_ENDPOINT_HINT}`,
      { side: "destination" },
    );
  }
  await pollLock(client, options, "pg_try_advisory_lock", async () => {});
}

const LockTaken = z.object({ ok: z.boolean() });

async function pollLock(
  client: pg.Client,
  options: LockOptions,
  fn: "pg_try_advisory_lock" | "pg_try_advisory_xact_lock",
  giveUp: () => Promise<void>,
): Promise<void> {
  const started = Date.now();
  const deadline = started + options.waitSeconds * 1000;
  let nextReport = started;
  for (;;) {
    let ok: boolean;
    const sql = `SELECT pg_catalog.${fn}(${LOCK_KEY_SQL}) AS ok`;
    try {
      // Sent as is, not pinned: every name in it is qualified (LOCK_KEY_SQL).
      ({ ok } = validRow(await client.query(sql), LockTaken, {
        name: "destination lock",
        sql,
        side: "destination",
      }));
    } catch (error) {
      await giveUp();
      throw wrapError("connection", "taking the destination lock", error, { side: "destination", sql });
    }
    if (ok) return;
    if (!options.wait || Date.now() >= deadline) {
      await giveUp();
      throw new PgsyncError(
        "guard",
        options.wait
          ? `another pgsync-ts run still holds the destination lock after ${options.waitSeconds} seconds`
          : "another pgsync-ts run is writing to this destination (its advisory lock is held)",
        { side: "destination" },
      );
    }
    if (options.onWaiting && Date.now() >= nextReport) {
      nextReport = Date.now() + (options.reportEverySeconds ?? 30) * 1000;
      await options.onWaiting(Math.round((Date.now() - started) / 100) / 10);
    }
    await new Promise((r) => setTimeout(r, Math.min(1000, (options.reportEverySeconds ?? 30) * 1000)));
  }
}
