/**
 * Output piped into a reader that has already quit (`pgsync-ts --help | head -0`): the command
 * ends as it would have, with no EPIPE crash or stack trace.
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";

const ENTRY = fileURLToPath(new URL("../helpers/cli-entry.ts", import.meta.url));

it("a closed stdout is not a crash: the exit code and stderr are those of the command", async () => {
  const child = spawn(process.execPath, ["--import", "tsx", ENTRY, "run", "--help"], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  // Closed before the command writes a byte (starting tsx takes far longer than this).
  child.stdout.destroy();
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => {
    stderr += d.toString();
  });
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  expect(stderr).toBe("");
  expect(code).toBe(0);
});
