import type { RunEvent } from "../pipeline/run.js";
import type { Logger } from "./logger.js";

/** How every command and the service log a run's events (one place, so they read the same). */
export function logRunEvent(log: Logger, e: RunEvent): void {
  switch (e.type) {
    case "step":
      log.info(
        { step: e.report.name, status: e.report.status, seconds: e.report.seconds },
        `step ${e.report.name} ${e.report.status}`,
      );
      break;
    case "table":
      log.info({ table: e.table, rows: e.rows, bytes: e.bytes, seconds: e.seconds }, `copied ${e.table}`);
      break;
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
  }
}
