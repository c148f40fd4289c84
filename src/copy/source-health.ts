import { PgsyncError, serverFields } from "../errors.js";

/**
 * A standby cancels a long query when replaying WAL would remove rows the query still needs
 * (SQLSTATE 40001, "conflict with recovery"). The error says what to do about it.
 */
export function explainStandbyConflict(error: unknown, sourceInRecovery: boolean): unknown {
  const server = serverFields(error);
  if (!sourceInRecovery || server?.code !== "40001") return error;
  const message = error instanceof Error ? error.message : String(error);
  return new PgsyncError(
    "copy",
    `${message}. The source is a standby, which cancelled the copy to replay changes from its primary (a recovery conflict). ` +
      "Turn on hot_standby_feedback on the standby, or raise max_standby_streaming_delay (the copy's snapshot then holds back cleanup on the primary), or copy from the primary",
    { side: "source", server },
    { cause: error },
  );
}

/**
 * Reports the age of the source snapshot every `everySeconds` while the copy runs: the snapshot
 * holds back VACUUM on the source for as long as it lives. Returns a function that stops it.
 */
export function reportSnapshotAge(
  takenAt: number,
  everySeconds: number,
  emit: (seconds: number) => void,
): () => void {
  const timer = setInterval(() => emit(Math.round((Date.now() - takenAt) / 1000)), everySeconds * 1000);
  timer.unref();
  return () => clearInterval(timer);
}
