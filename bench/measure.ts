/**
 * Times one child process (wall clock, from spawn to exit) and reads its peak RSS and CPU time from
 * GNU time (`/usr/bin/time -f "%M %U %S"`): the largest resident set of the process or of any
 * descendant it waited for (so a shell pipeline reports its largest member), and the user and
 * system CPU seconds of all of them together.
 */
import { spawn } from "node:child_process";
import { access, constants, mkdtemp, readFile, rm } from "node:fs/promises";
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
 * Runs `command args` under GNU time. A non-zero exit is an error naming the step and the end of
 * its stderr (the tools run with PGPASSWORD in the environment, never a password in argv).
 */
export async function runTimed(
  step: string,
  command: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
): Promise<Timed> {
  const dir = await mkdtemp(join(tmpdir(), "pgsync-bench-time-"));
  const rssFile = join(dir, "rss");
  try {
    const started = performance.now();
    const stdout = tail(4_000_000);
    const stderr = tail(4000);
    const code = await new Promise<number | null>((resolve, reject) => {
      const child = spawn(GNU_TIME, ["-f", "%M %U %S", "-o", rssFile, command, ...args], {
        env,
        stdio: ["ignore", "pipe", "pipe"],
      });
      child.stdout.on("data", stdout.add);
      child.stderr.on("data", stderr.add);
      child.on("error", reject);
      child.on("close", resolve);
    });
    const seconds = (performance.now() - started) / 1000;
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
export function runShellTimed(step: string, script: string, env: NodeJS.ProcessEnv): Promise<Timed> {
  return runTimed(step, "/bin/bash", ["-o", "pipefail", "-e", "-c", script], env);
}
