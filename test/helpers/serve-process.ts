/**
 * `pgsync-ts serve` in a child process (from the TypeScript sources), with its JSON log lines
 * collected, for tests that need the long-running service and its signal handling.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ENTRY = fileURLToPath(new URL("./cli-entry.ts", import.meta.url));

export type LogLine = Record<string, unknown> & { msg?: string; profile?: string; level?: number };

export interface ServeProcess {
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
  stderr(): string;
  stdout(): string;
  /** The JSON log lines so far (stderr is not a terminal, so every line is JSON). */
  lines(): LogLine[];
  /** Resolves with the first log line matching, failing after `timeoutMs` with the log so far. */
  waitForLine(match: (line: LogLine) => boolean, what: string, timeoutMs?: number): Promise<LogLine>;
  /** Sends the signal and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export function startServe(args: readonly string[], env: NodeJS.ProcessEnv = {}): ServeProcess {
  const child = spawn(process.execPath, ["--import", "tsx", ENTRY, "serve", ...args], {
    env: { ...process.env, PGSYNC_LOG_LEVEL: "info", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  let stdout = "";
  child.stderr?.on("data", (d: Buffer) => {
    stderr += d.toString();
  });
  child.stdout?.on("data", (d: Buffer) => {
    stdout += d.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
  const lines = (): LogLine[] =>
    stderr.split("\n").flatMap((l) => {
      if (!l.startsWith("{")) return [];
      try {
        return [JSON.parse(l) as LogLine];
      } catch {
        return [];
      }
    });
  return {
    child,
    exited,
    stderr: () => stderr,
    stdout: () => stdout,
    lines,
    async waitForLine(match, what, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = lines().find(match);
        if (found) return found;
        if (child.exitCode !== null || Date.now() > deadline) {
          throw new Error(`serve: no log line for "${what}" (exit ${child.exitCode}); stderr:\n${stderr}`);
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    async stop(signal = "SIGTERM") {
      if (child.exitCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** Polls `fn` until it returns a value that is not undefined, failing after `timeoutMs`. */
export async function eventually<T>(
  fn: () => Promise<T | undefined>,
  what: string,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Writes a JSON config file in a fresh directory; returns its path and a cleanup. */
export function writeConfig(config: unknown): { file: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), "pgsync-serve-test-"));
  const file = join(dir, "pgsync.config.json");
  writeFileSync(file, JSON.stringify(config, null, 2));
  return { file, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
