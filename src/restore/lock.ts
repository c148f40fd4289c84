import type pg from "pg";
import { PgsyncError } from "../errors.js";

/**
 * One run at a time per destination database, across processes and machines: a session advisory
 * lock held on a dedicated destination connection for the whole run. The server releases it when
 * that connection ends, so a killed run never leaves a stale lock.
 */
const LOCK_KEY_SQL = "pg_catalog.hashtext('pgsync-ts:' || current_database())";

export async function acquireDestinationLock(
  client: pg.Client,
  options: { wait: boolean; waitSeconds: number },
): Promise<void> {
  const deadline = Date.now() + options.waitSeconds * 1000;
  for (;;) {
    const result = await client.query<{ ok: boolean }>(
      `SELECT pg_catalog.pg_try_advisory_lock(${LOCK_KEY_SQL}) AS ok`,
    );
    if (result.rows[0]?.ok) return;
    if (!options.wait || Date.now() >= deadline) {
      throw new PgsyncError(
        "guard",
        options.wait
          ? `another pgsync-ts run still holds the destination lock after ${options.waitSeconds} seconds`
          : "another pgsync-ts run is writing to this destination (its advisory lock is held)",
        { side: "destination" },
      );
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
}
