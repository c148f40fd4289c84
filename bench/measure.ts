/**
 * Times one child process (wall clock, from spawn to exit) and reads its peak RSS and CPU time from
 * GNU time (`/usr/bin/time -f "%M %U %S"`): the largest resident set of the process or of any
 * descendant it waited for (so a shell pipeline reports its largest member), and the user and
 * system CPU seconds of all of them together.
 */
import { spawn } from "node:child_process";
import { access, constants, mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const GNU_TIME = "/usr/bin/time";

export async function requireGnuTime(): Promise<void> {
  try {
    await access(GNU_TIME, constants.X_OK);
  } catch {
    throw new Error(
      `${GNU_TIME} (GNU time, Debian package "time") is needed to read peak RSS: run scripts/provision.sh bench`,
    );
  }
}

export interface Timed {
  readonly seconds: number;
  /** Peak resident set size in kB. */
  readonly rssKb: number;
  /** User + system CPU seconds of the process and the descendants it waited for. */
  readonly cpuSeconds: number;
  readonly stdout: string;
}

/** Keeps the last `limit` characters of a stream (enough for an error message, bounded in memory). */
function tail(limit: number) {
  let text = "";
  return {
    add: (chunk: Buffer) => {
      text = (text + chunk.toString()).slice(-limit);
    },
    get text() {
      return text;
    },
  };
}

/**
 * A method stopped before it finished: at the harness's time limit (`--time-limit`), or when the
 * machine's available memory fell below MIN_AVAILABLE_KB (before the kernel's OOM killer would
 * pick a process, a server's perhaps).
 */
export class StoppedAtLimit extends Error {
  constructor(
    readonly seconds: number,
    /** The largest resident set of its processes, sampled every second until it was stopped. */
    readonly rssKb: number,
    readonly reason: "time" | "memory",
  ) {
    super(
      `stopped ${reason === "time" ? "at the time limit" : `when the machine had less than ${MIN_AVAILABLE_KB / 1024 ** 2} GB of memory available`} after ${seconds.toFixed(0)} s, unfinished`,
    );
  }
}

/** Available memory (MemAvailable) below which a watched run is stopped. */
export const MIN_AVAILABLE_KB = 2 * 1024 ** 2;

async function availableKb(): Promise<number> {
  const m = /MemAvailable:\s+(\d+)/.exec(await readFile("/proc/meminfo", "utf8"));
  return Number(m?.[1] ?? Number.POSITIVE_INFINITY);
}

/** The largest VmRSS (kB) among the processes of a process group, read from /proc. */
async function largestRssKb(group: number): Promise<number> {
  let largest = 0;
  for (const pid of (await readdir("/proc")).filter((n) => /^\d+$/.test(n))) {
    try {
      const stat = await readFile(`/proc/${pid}/stat`, "utf8");
      // The fields after the command name (which may hold spaces) in parentheses: state, ppid, pgrp.
      const pgrp = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[2]);
      if (pgrp !== group) continue;
      const rss = /VmRSS:\s+(\d+)/.exec(await readFile(`/proc/${pid}/status`, "utf8"));
      largest = Math.max(largest, Number(rss?.[1] ?? 0));
    } catch {
      // The process ended while being read.
    }
  }
  return largest;
}

/**
 * Runs `command args` under GNU time. A non-zero exit is an error naming the step and the end of
 * its stderr (the tools run with PGPASSWORD in the environment, never a password in argv). With
 * `limitSeconds`, the command's whole process group is killed when it runs longer, and
 * StoppedAtLimit reports how long it ran and the largest RSS sampled.
 */
export async function runTimed(
  step: string,
  command: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  limitSeconds = 0,
): Promise<Timed> {
  const dir = await mkdtemp(join(tmpdir(), "pgsync-bench-time-"));
  const rssFile = join(dir, "rss");
  try {
    const started = performance.now();
    const stdout = tail(4_000_000);
    const stderr = tail(4000);
    let sampledRssKb = 0;
    let stopped: StoppedAtLimit["reason"] | undefined;
    const code = await new Promise<number | null>((resolve, reject) => {
      const child = spawn(GNU_TIME, ["-f", "%M %U %S", "-o", rssFile, command, ...args], {
        env,
        stdio: ["ignore", "pipe", "pipe"],
        detached: limitSeconds > 0,
      });
      child.stdout.on("data", stdout.add);
      child.stderr.on("data", stderr.add);
      child.on("error", reject);
      const group = child.pid;
      const watch =
        limitSeconds > 0 && group !== undefined
          ? setInterval(async () => {
              sampledRssKb = Math.max(sampledRssKb, await largestRssKb(group));
              if (stopped) return;
              if (performance.now() - started > limitSeconds * 1000) stopped = "time";
              else if ((await availableKb()) < MIN_AVAILABLE_KB) stopped = "memory";
              if (stopped) process.kill(-group, "SIGKILL");
            }, 1000)
          : undefined;
      child.on("close", (exitCode) => {
        if (watch) clearInterval(watch);
        resolve(exitCode);
      });
    });
    const seconds = (performance.now() - started) / 1000;
    if (stopped) throw new StoppedAtLimit(seconds, sampledRssKb, stopped);
    if (code !== 0) {
      throw new Error(`${step} exited with code ${code}:\n${stderr.text.trim()}`);
    }
    const [rss, user, system] = ((await readFile(rssFile, "utf8")).trim().split("\n").pop() ?? "")
      .split(" ")
      .map(Number);
    return {
      seconds,
      rssKb: rss ?? 0,
      cpuSeconds: Math.round(((user ?? 0) + (system ?? 0)) * 100) / 100,
      stdout: stdout.text,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** A shell pipeline, failing when any member fails. */
export function runShellTimed(
  step: string,
  script: string,
  env: NodeJS.ProcessEnv,
  limitSeconds = 0,
): Promise<Timed> {
  return runTimed(step, "/bin/bash", ["-o", "pipefail", "-e", "-c", script], env, limitSeconds);
}
