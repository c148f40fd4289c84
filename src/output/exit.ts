import type { ErrorKind } from "../errors.js";
import { errorMessage, PgsyncError } from "../errors.js";

export const EXIT = { ok: 0, failed: 1, usage: 2, cannotCompare: 3, sigint: 130, sigterm: 143 } as const;

export function exitCodeFor(kind: ErrorKind): number {
  if (kind === "usage" || kind === "config") return EXIT.usage;
  return EXIT.failed;
}

/** Prints an error as one line on stderr (redacted) and returns the exit code it maps to. */
export function reportError(error: unknown): number {
  const message = errorMessage(error);
  process.stderr.write(`pgsync-ts: error: ${message}\n`);
  return error instanceof PgsyncError ? exitCodeFor(error.kind) : EXIT.failed;
}
