import { errorMessage, PgsyncError } from "../errors.js";
import type { CatalogModel, ServerInfo } from "../introspect/model.js";
import type { GuardResult } from "../restore/guards.js";
import { maskConnectionString, redactDeep } from "../util/redact.js";
import type { RunContext } from "./context.js";
import type { LargeObjectSync } from "./large-objects.js";
import type { TableReport } from "./load-tasks.js";
import type { MaskingReport, RunReport, SnapshotResult, SubsetReport, Verification } from "./options.js";
import type { StepReport } from "./step-runner.js";
import { keptFor } from "./steps/guard.js";
import type { LockResult } from "./steps/lock.js";
import type { PruneOutcome } from "./steps/prune.js";

/** What the steps of a run returned, as far as it got. */
export interface RunResults {
  sourceInfo?: ServerInfo;
  destinationInfo?: ServerInfo;
  guard?: GuardResult;
  lock?: LockResult;
  leftovers?: readonly string[];
  model?: CatalogModel;
  largeObjects?: LargeObjectSync | undefined;
  readonly tables: TableReport[];
  verification?: Verification;
  masking?: MaskingReport;
  subset?: SubsetReport;
  snapshot?: SnapshotResult;
  prune?: PruneOutcome;
}

/**
 * The run's report, assembled in one place from what its steps returned (success or failure), and
 * passed through the redaction registry as a whole: warnings and errors quote server messages.
 */
export function buildRunReport(
  ctx: RunContext,
  results: RunResults,
  steps: readonly StepReport[],
  timing: { readonly startedAt: Date; readonly finishedAt: Date },
  failure: unknown,
): RunReport {
  const { options } = ctx;
  const { startedAt, finishedAt } = timing;
  const tables = [...results.tables].sort((a, b) => a.table.localeCompare(b.table));
  const ok = failure === undefined;
  return redactDeep({
    runId: ctx.runId,
    ...(options.profile ? { profile: options.profile } : {}),
    ok,
    source: maskConnectionString(options.sourceUrl),
    destination: maskConnectionString(options.destinationUrl),
    ...(results.sourceInfo ? { sourceVersion: results.sourceInfo.version } : {}),
    ...(results.destinationInfo ? { destinationVersion: results.destinationInfo.version } : {}),
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    seconds: Math.round((finishedAt.getTime() - startedAt.getTime()) / 10) / 100,
    ...(results.lock ? { lockWaitSeconds: results.lock.waitedSeconds } : {}),
    steps,
    tables,
    totals: {
      tables: tables.length,
      rows: tables.reduce((n, t) => n + t.rows, 0),
      bytes: tables.reduce((n, t) => n + t.bytes, 0),
    },
    verification: results.verification ?? null,
    notCarried: results.model?.notCarried ?? [],
    ...(results.masking ? { masking: results.masking } : {}),
    ...(results.subset ? { subset: results.subset } : {}),
    ...(ok && results.largeObjects?.report ? { largeObjects: results.largeObjects.report } : {}),
    ...(results.snapshot ? { snapshot: results.snapshot } : {}),
    ...(results.guard?.destinationOnly?.length
      ? {
          adopted: {
            destinationOnly: [...results.guard.destinationOnly],
            keptFor: keptFor(options.retention),
          },
        }
      : {}),
    leftoversCleaned: results.leftovers ?? [],
    prunedSnapshots: results.prune?.pruned ?? [],
    ...(results.prune?.storage ? { snapshotStorage: results.prune.storage } : {}),
    warnings: [...ctx.warnings],
    ...(ok ? {} : { error: errorJson(failure) }),
  });
}

function errorJson(error: unknown): Record<string, unknown> {
  if (error instanceof PgsyncError) return error.toJSON();
  return { kind: "internal", message: errorMessage(error) };
}
