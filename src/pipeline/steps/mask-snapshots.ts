import { settleMaskedSnapshots } from "../../mask/snapshots.js";
import type { RunContext } from "../context.js";
import type { Endpoints } from "./connect.js";

/**
 * After the cut-over, before the retention's pruning: when this run masked under other rules (or
 * another key) than the live data had, every snapshot is dropped (they hold data masked otherwise,
 * or unmasked), with a warning; the run's fingerprint is recorded. Returns the dropped snapshots.
 */
export async function maskSnapshotsStep(
  ctx: RunContext,
  ends: Pick<Endpoints, "destination">,
  fingerprint: string | null,
): Promise<string[]> {
  const outcome = await settleMaskedSnapshots(ends.destination.client, {
    runId: ctx.runId,
    fingerprint,
    statementSeconds: ctx.timeouts.statementSeconds,
  });
  for (const w of outcome.warnings) ctx.warn(w);
  return [...outcome.dropped];
}
