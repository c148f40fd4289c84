/** Server log files: where they go, and their last lines for error messages. */
import { randomBytes } from "node:crypto";
import { mkdir, open } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describeError } from "./process.js";

/** A fresh log file name under `logDir` (default `<tmp>/pgsync-ts-logs`), which is created. */
export async function newLogFile(label: string, logDir = join(tmpdir(), "pgsync-ts-logs")): Promise<string> {
  await mkdir(logDir, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, "-");
  return join(logDir, `${label}-${stamp}-${randomBytes(3).toString("hex")}.log`);
}

/** The last lines of a log (at most 16 KiB of it), or why it could not be read. */
export async function logTail(logFile: string, maxLines = 40): Promise<string> {
  try {
    const handle = await open(logFile, "r");
    try {
      const { size } = await handle.stat();
      const length = Math.min(size, 16_384);
      const buffer = Buffer.alloc(length);
      await handle.read(buffer, 0, length, size - length);
      return buffer.toString("utf8").split("\n").slice(-maxLines).join("\n").trim() || "(log is empty)";
    } finally {
      await handle.close();
    }
  } catch (error) {
    return `(could not read the log: ${describeError(error)})`;
  }
}
