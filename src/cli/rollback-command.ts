import { createInterface } from "node:readline/promises";
import { connect } from "../db/connect.js";
import { errorMessage, PgsyncError } from "../errors.js";
import { EXIT } from "../output/exit.js";
import { listSnapshots, type SnapshotRecord } from "../restore/meta.js";
import { type RollbackReport, rollback } from "../restore/rollback.js";
import { type RunEnd, recordRollback } from "../schedule/history-store.js";
import { openHistory } from "../schedule/record-run.js";
import { formatBytes } from "../util/format-bytes.js";
import { maskConnectionString } from "../util/redact.js";
import { holds, takenBy, utc } from "./snapshot-lines.js";
import { resolveDestination, type TargetFlags } from "./target.js";

const out = (line: string) => process.stdout.write(`${line}\n`);

/**
 * `pgsync-ts rollback`: names the snapshot it would bring back (when it was taken, by which run, its
 * size, what it holds), asks, swaps exactly that snapshot back in, and records the rollback in the
 * history.
 */
export async function rollbackCommand(
  flags: TargetFlags & { yes?: boolean; snapshot?: string },
): Promise<number> {
  const profile = await resolveDestination(flags);
  if (!flags.yes && !process.stdin.isTTY) {
    throw new PgsyncError(
      "usage",
      "rollback replaces the live destination; pass --yes to confirm (no terminal to ask on)",
    );
  }
  const target = await chosenSnapshot(
    profile.destinationUrl,
    profile.timeouts.connectSeconds,
    flags.snapshot,
  );
  const destination = maskConnectionString(profile.destinationUrl);
  if (flags.yes)
    out(`rolling back ${destination} to snapshot ${target.snapshotId} (${describeBriefly(target)})`);
  else {
    process.stderr.write(`${describeTarget(destination, target).join("\n")}\n`);
    const rl = createInterface({ input: process.stdin, output: process.stderr });
    const answer = await rl.question("Roll back? [y/N] ");
    rl.close();
    if (!/^y(es)?$/i.test(answer.trim())) {
      out("rollback cancelled");
      return EXIT.failed;
    }
  }
  const startedAt = new Date();
  let report: RollbackReport | undefined;
  let failure: unknown;
  try {
    report = await rollback({
      destinationUrl: profile.destinationUrl,
      connectSeconds: profile.timeouts.connectSeconds,
      lockSeconds: profile.timeouts.lockSeconds,
      statementSeconds: profile.timeouts.statementSeconds,
      // The snapshot the user was shown, even if a run took a newer one since.
      snapshotId: target.snapshotId,
      onWarning: (message) => process.stderr.write(`pgsync-ts: warning: ${message}\n`),
    });
  } catch (error) {
    failure = error;
  }
  await recordInHistory(profile.name, profile.destinationUrl, profile.timeouts.connectSeconds, startedAt, {
    report,
    failure,
  });
  if (!report) throw failure;
  out(
    `rolled back to snapshot ${report.restored.snapshotId}; the replaced state is kept as snapshot ${report.keptAs}`,
  );
  const settings = report.databaseSettings;
  if (settings && settings.set.length + settings.reset.length > 0)
    out(
      `database settings as the snapshot kept them: ${[...settings.set.map((n) => `${n} set`), ...settings.reset.map((n) => `${n} reset`)].join(", ")}`,
    );
  return EXIT.ok;
}

/** The snapshot a rollback brings back: the one asked for, else the newest. */
async function chosenSnapshot(
  destinationUrl: string,
  connectSeconds: number,
  wanted: string | undefined,
): Promise<SnapshotRecord> {
  const c = await connect({ url: destinationUrl, side: "destination", connectSeconds });
  try {
    const snapshots = await listSnapshots(c.client);
    const found = wanted ? snapshots.find((s) => s.snapshotId === wanted) : snapshots[0];
    if (found) return found;
    // Not a usage error: the command is right, the destination has nothing to go back to (exit 1).
    throw new PgsyncError(
      "guard",
      wanted
        ? `no snapshot "${wanted}" on the destination${snapshots.length > 0 ? `; it has: ${snapshots.map((s) => s.snapshotId).join(", ")}` : ""}`
        : "the destination has no snapshot to roll back to",
      { side: "destination" },
    );
  } finally {
    await c.close();
  }
}

/** What the confirmation shows: the snapshot, and what the rollback does with the live state. */
function describeTarget(destination: string, s: SnapshotRecord): string[] {
  return [
    `Roll back ${destination} to snapshot ${s.snapshotId}:`,
    `  taken    ${utc(s.takenAt)} (${ago(s.takenAt)}), by ${takenBy(s)}${s.reason === "run" ? ": the state that run replaced" : ": the state that rollback replaced"}`,
    `  size     ${formatBytes(s.bytes)}`,
    `  holds    ${holds(s)}`,
    "  The live state of these schemas is kept as a snapshot of its own: this rollback can be undone the same way.",
  ];
}

function describeBriefly(s: SnapshotRecord): string {
  return `taken ${utc(s.takenAt)} by ${takenBy(s)}, ${formatBytes(s.bytes)}, ${holds(s)}`;
}

/** `3 minutes ago`, `2 hours ago`, `5 days ago`. */
function ago(at: Date, now: Date = new Date()): string {
  const seconds = Math.max(0, Math.round((now.getTime() - at.getTime()) / 1000));
  const [value, unit] =
    seconds < 120
      ? [seconds, "second"]
      : seconds < 7200
        ? [Math.round(seconds / 60), "minute"]
        : seconds < 172_800
          ? [Math.round(seconds / 3600), "hour"]
          : [Math.round(seconds / 86_400), "day"];
  return `${value} ${unit}${value === 1 ? "" : "s"} ago`;
}

/**
 * A rollback is a row of the destination's run history (kind "rollback"). Recording it never
 * changes the outcome: a history that cannot be written is a warning.
 */
async function recordInHistory(
  profile: string,
  destinationUrl: string,
  connectSeconds: number,
  startedAt: Date,
  outcome: { readonly report: RollbackReport | undefined; readonly failure: unknown },
): Promise<void> {
  const finishedAt = new Date();
  const end: RunEnd = {
    status: outcome.report ? "succeeded" : "failed",
    finishedAt,
    seconds: Math.round((finishedAt.getTime() - startedAt.getTime()) / 10) / 100,
    ...(outcome.report ? {} : { error: { message: errorMessage(outcome.failure) } }),
  };
  try {
    const c = await openHistory(destinationUrl, connectSeconds);
    try {
      await recordRollback(c.client, {
        profile,
        startedAt,
        destination: destinationUrl,
        ...(outcome.report
          ? { restoredSnapshot: outcome.report.restored.snapshotId, keptSnapshot: outcome.report.keptAs }
          : {}),
        end,
      });
    } finally {
      await c.close();
    }
  } catch (error) {
    process.stderr.write(
      `pgsync-ts: warning: the rollback is not recorded in the run history: ${errorMessage(error)}\n`,
    );
  }
}
