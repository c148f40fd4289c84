/**
 * How much of the machine's CPU went to processes other than this benchmark while a run was timed:
 * the machine's busy time (/proc/stat) minus the CPU of this process and its reaped children (the
 * tool being timed) and of both postmasters with all their backends. Other engineers' work on a
 * shared machine shows up here, so a published figure says how quiet the machine was.
 */
import { readdir, readFile } from "node:fs/promises";
import { availableParallelism } from "node:os";

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

async function machineBusyTicks(): Promise<number> {
  const line = (await readFile("/proc/stat", "utf8")).split("\n")[0] ?? "";
  const f = line.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal: everything but idle and iowait is busy.
  const at = (i: number) => f[i] ?? 0;
  return at(0) + at(1) + at(2) + at(5) + at(6) + at(7);
}

interface ProcStat {
  readonly ppid: number;
  /** Own CPU, and CPU of reaped children. */
  readonly own: number;
  readonly children: number;
}

async function procStat(pid: number | string): Promise<ProcStat | undefined> {
  try {
    const text = await readFile(`/proc/${pid}/stat`, "utf8");
    // Fields after the command name, which may hold spaces and parentheses: state is field 3.
    const f = text
      .slice(text.lastIndexOf(")") + 2)
      .split(" ")
      .map(Number);
    return { ppid: f[1] ?? 0, own: (f[11] ?? 0) + (f[12] ?? 0), children: (f[13] ?? 0) + (f[14] ?? 0) };
  } catch {
    return undefined; // gone
  }
}

/** CPU ticks of `roots` with their reaped children, plus their live children (postmaster backends). */
async function ourTicks(roots: readonly number[]): Promise<number> {
  let total = 0;
  const rootSet = new Set(roots);
  for (const pid of roots) {
    const s = await procStat(pid);
    if (s) total += s.own + s.children;
  }
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry) || rootSet.has(Number(entry))) continue;
    const s = await procStat(entry);
    if (s && rootSet.has(s.ppid)) total += s.own;
  }
  return total;
}

export interface CpuSample {
  readonly at: number;
  readonly busy: number;
  readonly ours: number;
}

export async function sampleCpu(postmasters: readonly number[]): Promise<CpuSample> {
  const [busy, ours] = await Promise.all([machineBusyTicks(), ourTicks([process.pid, ...postmasters])]);
  return { at: performance.now(), busy, ours };
}

/** Share of all cores used by other work between two samples (0 = quiet, 1 = every core busy). */
export function foreignShare(before: CpuSample, after: CpuSample): number {
  const seconds = (after.at - before.at) / 1000;
  if (seconds <= 0) return 0;
  const foreign = (after.busy - before.busy - (after.ours - before.ours)) / TICKS_PER_SECOND;
  return Math.max(0, Math.round((foreign / (seconds * availableParallelism())) * 1000) / 1000);
}
