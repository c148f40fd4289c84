import { createInterface } from "node:readline/promises";
import { errorMessage, PgsyncError } from "../errors.js";
import { EXIT } from "../output/exit.js";
import { type RollbackReport, rollback } from "../restore/rollback.js";
import { type RunEnd, recordRollback } from "../schedule/history-store.js";
import { openHistory } from "../schedule/record-run.js";
import { maskConnectionString } from "../util/redact.js";
import { resolveDestination, type TargetFlags } from "./target.js";

const out = (line: string) => process.stdout.write(`${line}\n`);

/** `pgsync-ts rollback`: asks, swaps the snapshot back in, and records the rollback in the history. */
export async function rollbackCommand(
  flags: TargetFlags & { yes?: boolean; snapshot?: string },
): Promise<number> {
  const profile = await resolveDestination(flags);
  if (!flags.yes) {
    if (!process.stdin.isTTY) {
      throw new PgsyncError(
        "usage",
        "rollback replaces the live destination; pass --yes to confirm (no terminal to ask on)",
      );
    }
    const rl = createInterface({ input: process.stdin, output: process.stderr });
    const answer = await rl.question(
      `Roll back ${maskConnectionString(profile.destinationUrl)} to its ${flags.snapshot ?? "newest"} snapshot? [y/N] `,
    );
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
      ...(flags.snapshot ? { snapshotId: flags.snapshot } : {}),
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
