import type pg from "pg";
import { z } from "zod";
import { textOrNull } from "../db/rows.js";
import { baseSettings, inTransaction } from "../db/session.js";
import { errorMessage } from "../errors.js";
import { listSnapshots, META_SCHEMA, metaTableExists, readDestination } from "../restore/meta.js";
import { dropSnapshot } from "../restore/retention.js";

/**
 * Snapshots and masking. A snapshot keeps the data it replaced as it was: turning masking on, or
 * changing the rules or the key, would leave unmasked (or otherwise masked) data in the older
 * snapshots of a development database. So each masked run records the rules' fingerprint on the
 * destination (`_pgsync.masking_runs`), and the first run under another fingerprint drops every
 * snapshot after its cut-over, the one it just took included (it holds the previous live state).
 */

const Latest = z.object({ fingerprint: textOrNull });

/** The fingerprint the live data was copied under: a string, null (unmasked), undefined (never recorded). */
export async function liveFingerprint(client: pg.Client): Promise<string | null | undefined> {
  if (!(await metaTableExists(client, "masking_runs"))) return undefined;
  const [row] = await readDestination(
    client,
    "masking runs",
    `SELECT fingerprint FROM ${META_SCHEMA}.masking_runs ORDER BY recorded_at DESC, run_id DESC LIMIT 1`,
    [],
    Latest,
  );
  return row ? row.fingerprint : undefined;
}

export interface SnapshotOutcome {
  readonly dropped: readonly string[];
  readonly warnings: readonly string[];
}

/**
 * After a cut-over: drops the snapshots when this run masked under another fingerprint than the
 * live data had, then records this run's (an unmasked run records only after a masked one). A
 * failed drop is not recorded, so the next run drops them again.
 */
export async function settleMaskedSnapshots(
  client: pg.Client,
  run: { readonly runId: string; readonly fingerprint: string | null; readonly statementSeconds: number },
): Promise<SnapshotOutcome> {
  const before = await inTransaction(client, baseSettings(run.statementSeconds), () =>
    liveFingerprint(client),
  );
  const warnings: string[] = [];
  const dropped: string[] = [];
  if (run.fingerprint !== null && before !== run.fingerprint) {
    const snapshots = await listSnapshots(client);
    const failed: string[] = [];
    for (const s of snapshots) {
      try {
        await dropSnapshot(client, s, run.statementSeconds);
        dropped.push(s.snapshotId);
      } catch (error) {
        failed.push(`${s.snapshotId} (${errorMessage(error)})`);
      }
    }
    const why =
      before === undefined || before === null
        ? "masking is on, and the older snapshots hold data copied unmasked"
        : "the masking rules or key changed, and the older snapshots hold data masked under the previous ones";
    if (dropped.length > 0)
      warnings.push(
        `${why}: dropped snapshot(s) ${dropped.join(", ")}; rollback to them is no longer possible`,
      );
    if (failed.length > 0) {
      warnings.push(
        `${why}, but these could not be dropped (the next run tries again): ${failed.join("; ")}`,
      );
      return { dropped, warnings };
    }
  }
  if (run.fingerprint !== null || (before !== undefined && before !== null)) {
    await inTransaction(client, baseSettings(run.statementSeconds), () =>
      client.query(`INSERT INTO ${META_SCHEMA}.masking_runs (run_id, fingerprint) VALUES ($1, $2)`, [
        run.runId,
        run.fingerprint,
      ]),
    );
  }
  return { dropped, warnings };
}
