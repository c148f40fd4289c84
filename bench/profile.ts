/**
 * Where a method's time goes: runs it once (after an untimed warm-up) on a fresh server pair while
 * sampling /proc every 200 ms, and prints the CPU seconds of each process by what it was doing
 * (a backend's process title names its command: COPY, CREATE INDEX, ALTER TABLE, ANALYZE...), the
 * machine's idle and I/O-wait time, and pgsync-ts's own step timings.
 *
 *   npx tsx bench/profile.ts [--shape standard] [--scale 1000] [--methods pgsync-empty,dump-psql] [--parallel N] [--no-build]
 *
 * `--scale` is the shape's size: MB, or the number of tables of the many-tables shape.
 */
import { spawn } from "node:child_process";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { availableParallelism, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { loadDataset } from "./load-dataset.js";
import { requireGnuTime } from "./measure.js";
import { METHODS, type MethodContext } from "./methods.js";
import { checkpoint, startPair } from "./pair.js";
import { findPgcopydb, findPgTools } from "./pg-tools.js";
import { shapeById } from "./shapes.js";

const ROOT = resolve(fileURLToPath(new URL("..", import.meta.url)));
const { values: args } = parseArgs({
  options: {
    shape: { type: "string", default: "standard" },
    scale: { type: "string", default: "1000" },
    methods: { type: "string", default: "pgsync-empty,dump-psql" },
    parallel: { type: "string", default: String(availableParallelism()) },
    "no-build": { type: "boolean", default: false },
  },
});

interface Proc {
  readonly pid: number;
  readonly ppid: number;
  readonly ticks: number;
  readonly title: string;
}

async function processes(): Promise<Map<number, Proc>> {
  const out = new Map<number, Proc>();
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = await readFile(`/proc/${entry}/stat`, "utf8");
      const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      const title = (await readFile(`/proc/${entry}/cmdline`, "utf8")).replace(/\0/g, " ").trim();
      out.set(Number(entry), {
        pid: Number(entry),
        ppid: Number(f[1]),
        ticks: Number(f[11]) + Number(f[12]),
        title,
      });
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** "source COPY", "destination CREATE INDEX", "destination checkpointer", "pgsync-ts (node)", "pg_dump"... */
function classify(p: Proc, all: Map<number, Proc>, servers: Map<number, string>): string | undefined {
  const side = servers.get(p.ppid);
  if (side) {
    const backend = /^postgres: \S+ \S+ \S+ (.+)$/.exec(p.title);
    if (backend) return `${side} backend: ${(backend[1] ?? "").replace(/ waiting$/, "")}`;
    return `${side} ${p.title.replace(/^postgres: /, "")}`;
  }
  // Descendants of this process: the timed tools.
  for (let q: Proc | undefined = p; q; q = all.get(q.ppid)) {
    if (q.ppid === process.pid) {
      const name = p.title.split(" ")[0]?.split("/").pop() ?? "?";
      return name === "node" ? "pgsync-ts (node)" : name;
    }
  }
  return undefined;
}

async function machineTicks(): Promise<{ idle: number; iowait: number }> {
  const f = ((await readFile("/proc/stat", "utf8")).split("\n")[0] ?? "")
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number);
  return { idle: f[3] ?? 0, iowait: f[4] ?? 0 };
}

await requireGnuTime();
if (!args["no-build"]) {
  await new Promise<void>((done, fail) =>
    spawn("npm", ["run", "--silent", "build"], { cwd: ROOT, stdio: "inherit" }).on("close", (code) =>
      code === 0 ? done() : fail(new Error(`npm run build exited with ${code}`)),
    ),
  );
}
const scaleMb = Number(args.scale);
const search = await findPgTools(15);
const pair = await startPair(15);
const workDir = await mkdtemp(join(tmpdir(), "pgsync-bench-profile-"));
try {
  const dataset = shapeById(args.shape as string).dataset(scaleMb);
  const data = await loadDataset(pair.source, pair.password, dataset);
  console.log(`dataset ${(data.dataBytes / 1e6).toFixed(0)} MB of table data`);
  const ctx: MethodContext = {
    pair,
    tools: "found" in search ? search.found : undefined,
    parallel: Number(args.parallel),
    workDir,
    cli: join(ROOT, "bin", "pgsync-ts.js"),
    tableBytes: data.tableBytes,
    dataset,
    pgcopydb: (await findPgcopydb())?.binary,
    timeLimitSeconds: 0,
    destinationState: "unknown",
  };
  const servers = new Map([
    [pair.source.pid, "source"],
    [pair.destination.pid, "destination"],
  ]);
  for (const id of (args.methods as string).split(",")) {
    const method = METHODS.find((m) => m.id === id);
    if (!method) throw new Error(`unknown method ${id}`);
    for (const pass of ["warm-up", "profiled"]) {
      await method.prepare(ctx);
      await Promise.all([
        checkpoint(pair.source, pair.password),
        checkpoint(pair.destination, pair.password),
      ]);
      const cpu = new Map<string, number>();
      let last = await processes();
      const m0 = await machineTicks();
      let sampling = true;
      const sampler = (async () => {
        while (sampling) {
          await new Promise((r) => setTimeout(r, 200));
          const now = await processes();
          for (const p of now.values()) {
            const before = last.get(p.pid)?.ticks ?? 0;
            const label = classify(p, now, servers);
            if (label && p.ticks > before) cpu.set(label, (cpu.get(label) ?? 0) + (p.ticks - before) / 100);
          }
          last = now;
        }
      })();
      const started = performance.now();
      const outcome = await method.run(ctx);
      const seconds = (performance.now() - started) / 1000;
      sampling = false;
      await sampler;
      ctx.destinationState = method.leaves;
      const m1 = await machineTicks();
      if (pass === "warm-up") continue;
      console.log(`\n## ${method.label}: ${seconds.toFixed(1)} s wall`);
      console.log(
        `machine: idle ${((m1.idle - m0.idle) / 100).toFixed(1)} CPU-s, I/O wait ${((m1.iowait - m0.iowait) / 100).toFixed(1)} CPU-s (of ${(seconds * availableParallelism()).toFixed(1)})`,
      );
      for (const [label, s] of [...cpu.entries()].sort((a, b) => b[1] - a[1])) {
        if (s >= 0.1) console.log(`  ${s.toFixed(1).padStart(7)} CPU-s  ${label}`);
      }
      if (outcome.steps) console.log(`steps: ${JSON.stringify(outcome.steps)}`);
      if (outcome.tables) console.log(`tables (COPY and count, s): ${JSON.stringify(outcome.tables)}`);
      else console.log(`parts: ${JSON.stringify(outcome.parts)}`);
    }
  }
} finally {
  await pair.stop();
  await rm(workDir, { recursive: true, force: true });
}
