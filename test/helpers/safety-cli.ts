/**
 * Drives the real command line in a child process, like runCli, but keeps hold of the process so a
 * test can stop it at a fault point (PGSYNC_TEST_PAUSE_AT, see src/pipeline/test-faults.ts) and then
 * signal it, break its connections, or resume it.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { FaultPoint } from "../../src/pipeline/step-runner.js";
import { PAUSE_ENV, PAUSE_MARKER, RESUME_SIGNAL } from "../../src/pipeline/test-faults.js";
import { withClient } from "./pg-servers.js";

const ENTRY = fileURLToPath(new URL("./cli-entry.ts", import.meta.url));

export interface CliProcess {
  readonly child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves when stderr matches (rejects after timeoutMs, or when the process exits first). */
  waitForStderr(pattern: RegExp, timeoutMs?: number): Promise<void>;
  /** Resolves with the exit code (null when killed) and the signal. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill(signal: NodeJS.Signals): void;
  /** Lets a run paused at a fault point continue. */
  resume(): void;
}

export function spawnCli(args: readonly string[], env: NodeJS.ProcessEnv = {}): CliProcess {
  const child = spawn(process.execPath, ["--import", "tsx", ENTRY, ...args], {
    env: { ...process.env, PGSYNC_LOG_LEVEL: "info", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  const listeners = new Set<() => void>();
  child.stdout?.on("data", (d: Buffer) => {
    out += d.toString();
  });
  child.stderr?.on("data", (d: Buffer) => {
    err += d.toString();
    for (const l of listeners) l();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on("close", (code, signal) => {
      for (const l of listeners) l();
      resolve({ code, signal });
    });
  });
  let done = false;
  void exited.then(() => {
    done = true;
  });
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    kill: (signal) => {
      child.kill(signal);
    },
    resume: () => {
      child.kill(RESUME_SIGNAL);
    },
    waitForStderr: (pattern, timeoutMs = 60_000) =>
      new Promise<void>((resolve, reject) => {
        const check = () => {
          if (pattern.test(err)) {
            finish();
            resolve();
          } else if (done) {
            finish();
            reject(new Error(`the process exited before stderr matched ${pattern}:\n${err}\n${out}`));
          }
        };
        const timer = setTimeout(() => {
          finish();
          reject(new Error(`stderr did not match ${pattern} within ${timeoutMs} ms:\n${err}`));
        }, timeoutMs);
        const finish = () => {
          clearTimeout(timer);
          listeners.delete(check);
        };
        listeners.add(check);
        check();
      }),
  };
}

/** Starts a CLI run that stops at `point` and resolves once it is waiting there. */
export async function pausedCli(
  args: readonly string[],
  point: FaultPoint,
  env: NodeJS.ProcessEnv = {},
): Promise<CliProcess> {
  const cli = spawnCli(args, { ...env, [PAUSE_ENV]: point });
  await cli.waitForStderr(new RegExp(`${PAUSE_MARKER} ${point.replace(/[:]/g, "\\$&")} `));
  return cli;
}

/** Writes a JSON config file in a fresh temp directory and returns its path. */
export function writeConfig(config: unknown): string {
  const dir = mkdtempSync(join(tmpdir(), "pgsync-safety-"));
  const file = join(dir, "pgsync.config.json");
  writeFileSync(file, JSON.stringify(config, null, 2));
  return file;
}

/**
 * Ends every session of pgsync-ts runs on the database's server (pg_terminate_backend), as a
 * network failure or an administrator would; `database` limits it to one database.
 */
export async function terminateRunSessions(url: string, database?: string): Promise<number> {
  return withClient(url, async (c) => {
    const r = await c.query(
      `SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity
       WHERE application_name LIKE 'pgsync-ts %' AND pid <> pg_backend_pid() AND ($1::text IS NULL OR datname = $1)`,
      [database ?? null],
    );
    return r.rows[0].n as number;
  });
}

/** The tool's schemas in a database: staging, snapshots and metadata. */
export async function toolSchemas(url: string, prefix = "_pgsync"): Promise<string[]> {
  return withClient(url, async (c) => {
    const r = await c.query("SELECT nspname FROM pg_namespace WHERE starts_with(nspname, $1) ORDER BY 1", [
      prefix,
    ]);
    return r.rows.map((x) => x.nspname as string);
  });
}

/** Every schema of a database except the system ones, for "nothing was written" checks. */
export async function userSchemas(url: string): Promise<string[]> {
  return withClient(url, async (c) => {
    const r = await c.query(
      "SELECT nspname FROM pg_namespace WHERE nspname NOT LIKE 'pg\\_%' AND nspname <> 'information_schema' ORDER BY 1",
    );
    return r.rows.map((x) => x.nspname as string);
  });
}
