import type { RunEvent } from "../pipeline/run.js";
import { formatBytes } from "../util/format-bytes.js";
import type { Logger } from "./logger.js";

/** A table still being copied is logged at most this often (its progress events come several a second). */
const PROGRESS_LOG_SECONDS = 10;

/** Per logger: when each table's progress was last logged (a WeakMap: the loggers' owners keep no state). */
const lastProgressLog = new WeakMap<Logger, Map<string, number>>();

/**
 * How every command and the service log a run's events (one place, so they read the same). Task
 * events are not logged (a large schema has thousands); a table being copied is logged every
 * PROGRESS_LOG_SECONDS, and once when it is done.
 */
export function logRunEvent(
  log: Logger,
  e: RunEvent,
  context: { readonly interrupted?: () => boolean } = {},
): void {
  switch (e.type) {
    case "step":
      // A step that an interrupt cut short failed because of it: said as such, not as an error.
      if (e.report.status === "failed" && context.interrupted?.())
        log.warn(
          { step: e.report.name, status: "interrupted", seconds: e.report.seconds },
          `step ${e.report.name} interrupted`,
        );
      else if (e.report.status === "failed")
        log.error(
          { step: e.report.name, status: e.report.status, seconds: e.report.seconds, err: e.report.error },
          `step ${e.report.name} failed${e.report.error ? `: ${e.report.error}` : ""}`,
        );
      else
        log.info(
          { step: e.report.name, status: e.report.status, seconds: e.report.seconds },
          `step ${e.report.name} ${e.report.status}`,
        );
      break;
    case "table":
      lastProgressLog.get(log)?.delete(e.table);
      log.info({ table: e.table, rows: e.rows, bytes: e.bytes, seconds: e.seconds }, `copied ${e.table}`);
      break;
    case "table-progress": {
      const logged = lastProgressLog.get(log) ?? new Map<string, number>();
      lastProgressLog.set(log, logged);
      const at = logged.get(e.table) ?? 0;
      if (e.seconds - at < PROGRESS_LOG_SECONDS) break;
      logged.set(e.table, e.seconds);
      log.info(
        { table: e.table, bytes: e.bytes, seconds: e.seconds },
        `copying ${e.table}: ${formatBytes(e.bytes)} in ${Math.round(e.seconds)}s`,
      );
      break;
    }
    case "snapshot-age":
      log.info(
        { snapshotAgeSeconds: e.seconds },
        `the source snapshot is ${e.seconds}s old (while it lives, VACUUM on the source cannot remove rows it may need)`,
      );
      break;
    case "warning":
      log.warn(e.message);
      break;
    case "lock-wait":
      log.info(
        { lockWaitSeconds: e.seconds, holders: e.holders },
        `waiting for another run's destination lock (${e.seconds}s so far), held by ${e.holders || "a session this role cannot see"}`,
      );
      break;
    case "connect-retry":
      log.info(
        { side: e.side, attempt: e.attempt, elapsedSeconds: e.elapsedSeconds, reason: e.reason },
        connectRetryMessage(e),
      );
      break;
    case "copy-start":
    case "task":
      break;
  }
}

/** `waiting for the source to accept connections (attempt 3, 12 s of 30 s): ECONNREFUSED` */
export function connectRetryMessage(e: Extract<RunEvent, { type: "connect-retry" }>): string {
  return `waiting for the ${e.side} to accept connections (attempt ${e.attempt}, ${Math.round(e.elapsedSeconds)} s of ${e.limitSeconds} s): ${e.reason}`;
}
