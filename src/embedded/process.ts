/**
 * The server's OS processes: their environment, spawning initdb and the postmaster, stopping with
 * escalating signals, and the process 'exit' hook that leaves no postgres behind.
 *
 * The postmaster is spawned directly (not through pg_ctl) so that we own its pid: stopping is a
 * signal (SIGINT = pg_ctl's "fast" mode, SIGQUIT = "immediate").
 */
import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, openSync } from "node:fs";
import { join } from "node:path";
import type { PgBinaries } from "./binaries.js";
import type { ServerOsUser } from "./os-user.js";

/**
 * Environment for server processes: no PG* client variables, the C locale (the server and initdb
 * read LC_* at startup), and our lib/ first on LD_LIBRARY_PATH. The binaries find their libraries
 * through RUNPATH=$ORIGIN/../lib already, but an inherited LD_LIBRARY_PATH would take precedence
 * over RUNPATH and could load a system libpq of another version.
 */
function serverEnv(binaries: PgBinaries): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith("PG") && !key.startsWith("LC_")) env[key] = value;
  }
  const lib = join(binaries.nativeDir, "lib");
  env.LD_LIBRARY_PATH = process.env.LD_LIBRARY_PATH ? `${lib}:${process.env.LD_LIBRARY_PATH}` : lib;
  env.LC_ALL = "C";
  env.LANG = "C";
  return env;
}

/** Runs a tool of the binaries (initdb) to completion as the server's user, collecting its output. */
export function runTool(
  binaries: PgBinaries,
  command: string,
  args: readonly string[],
  user: ServerOsUser,
  cwd: string,
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd,
      env: serverEnv(binaries),
      stdio: ["ignore", "pipe", "pipe"],
      uid: user.uid,
      gid: user.gid,
    });
    let output = "";
    const collect = (chunk: Buffer) => {
      output += chunk.toString();
    };
    child.stdout?.on("data", collect);
    child.stderr?.on("data", collect);
    child.once("error", reject);
    child.once("close", (code) => resolve({ code, output }));
  });
}

export interface Postmaster {
  readonly child: ChildProcess;
  /** Settles when the process has exited (or could not be spawned). */
  readonly exited: Promise<void>;
}

/** Spawns `postgres -D dataDir` with its output appended to the log file. */
export function spawnPostmaster(
  binaries: PgBinaries,
  dataDir: string,
  logFile: string,
  user: ServerOsUser,
  cwd: string,
): Postmaster {
  const logFd = openSync(logFile, "a");
  let child: ChildProcess;
  try {
    child = spawn(binaries.postgres, ["-D", dataDir], {
      cwd,
      env: serverEnv(binaries),
      stdio: ["ignore", logFd, logFd],
      uid: user.uid,
      gid: user.gid,
    });
  } finally {
    closeSync(logFd); // the child has its own copy
  }
  // Do not keep the event loop alive just for the server; the exit hook cleans up instead.
  child.unref();
  const exited = new Promise<void>((resolve) => {
    child.once("exit", () => resolve());
    child.once("error", () => resolve());
  });
  return { child, exited };
}

/**
 * Stops a postmaster: "fast" sends SIGINT (rolls back sessions, checkpoints), "immediate" SIGQUIT;
 * each step escalates to the next signal when the process has not exited in time.
 */
export async function stopPostmaster(postmaster: Postmaster, mode: "fast" | "immediate"): Promise<void> {
  const { child, exited } = postmaster;
  child.ref(); // keep this process alive until the server is really down
  const steps: [NodeJS.Signals, number][] =
    mode === "fast"
      ? [
          ["SIGINT", 60_000],
          ["SIGQUIT", 10_000],
          ["SIGKILL", 10_000],
        ]
      : [
          ["SIGQUIT", 10_000],
          ["SIGKILL", 10_000],
        ];
  for (const [signal, waitMs] of steps) {
    try {
      child.kill(signal);
    } catch {
      break; // already gone
    }
    if (await settlesWithin(exited, waitMs)) return;
  }
}

/** Whether `promise` settles within `ms` (it is never rejected here: callers pass exit promises). */
export function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    void promise.then(() => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/** An error's message with its code, for messages about startup attempts. */
export function describeError(error: unknown): string {
  if (error === undefined) return "none";
  if (error instanceof Error) {
    const code = (error as { code?: string }).code;
    return code ? `${error.message} [${code}]` : error.message;
  }
  return String(error);
}

/** Something the exit hook must stop synchronously. */
export interface KillableSync {
  killSync(): void;
}

/** Servers whose postmaster is (or may be) running, for the exit hook. */
const liveServers = new Set<KillableSync>();
let exitHookInstalled = false;

export function trackLive(server: KillableSync): void {
  liveServers.add(server);
  ensureExitHook();
}

export function untrackLive(server: KillableSync): void {
  liveServers.delete(server);
}

/**
 * 'exit' runs for normal exits, process.exit() and uncaught exceptions (not for SIGKILL). Only
 * synchronous work is possible there, hence killSync(). Servers started in the same process group
 * also get a terminal's Ctrl-C directly, which postgres treats as a fast shutdown.
 */
function ensureExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on("exit", () => {
    for (const server of liveServers) {
      try {
        server.killSync();
      } catch {
        // best effort: keep killing the others
      }
    }
  });
}

/** Blocks the thread (the exit hook cannot await). */
export function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
