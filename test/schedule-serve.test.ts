/**
 * `pgsync-ts serve` end to end, in a child process: runs fire on a 6-field cron, are recorded, never
 * overlap, missed runs are caught up (or skipped) from the history after a restart, and SIGTERM
 * during a run exits 0 with the destination unchanged.
 *
 * A run is made "long" the way it happens in production: a reader holds a lock on a live destination
 * table, so the cut-over waits for it (up to timeouts.lockSeconds). The test releases the lock when
 * it has seen what it needs; no test hook is involved.
 */
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { insertFinished } from "../src/schedule/history-store.js";
import { openHistory } from "../src/schedule/record-run.js";
import { runCli } from "./helpers/cli.js";
import { captureState } from "./helpers/db-state.js";
import {
  type FreshDatabase,
  freshDatabase,
  type PgMajor,
  testMajors,
  withClient,
} from "./helpers/pg-servers.js";
import {
  eventually,
  type LogLine,
  type ServeProcess,
  startServe,
  writeConfig,
} from "./helpers/serve-process.js";

const majors = testMajors();
const sourceMajor = majors[majors.length - 1] as PgMajor;
const destinationMajor = majors[0] as PgMajor;

const databases: FreshDatabase[] = [];
const cleanups: (() => unknown)[] = [];
afterAll(async () => {
  for (const c of cleanups) await c();
  await Promise.all(databases.map((d) => d.drop()));
});

async function pair(): Promise<{ source: FreshDatabase; destination: FreshDatabase }> {
  const source = await freshDatabase(sourceMajor);
  const destination = await freshDatabase(destinationMajor);
  databases.push(source, destination);
  await withClient(source.url, (c) =>
    c.query(`CREATE TABLE items (id int PRIMARY KEY, name text NOT NULL);
             INSERT INTO items SELECT g, 'item ' || g FROM generate_series(1, 500) g;`),
  );
  return { source, destination };
}

function serve(args: string[]): ServeProcess {
  // The built-in profiles must not be scheduled from whatever the environment holds.
  const p = startServe(args, { RAILWAY_DATABASE_URL: "", RAILWAY_BACKUP_DB_URL: "", DATABASE_URL: "" });
  cleanups.push(() => p.stop("SIGKILL"));
  return p;
}

interface RunRow {
  id: string;
  profile: string;
  trigger: string;
  status: string;
  scheduled_for: Date | null;
  started_at: Date;
  finished_at: Date | null;
  error: { message: string } | null;
}

const runs = (url: string) =>
  withClient(url, async (c) => (await c.query<RunRow>("SELECT * FROM _pgsync.runs ORDER BY id")).rows);

/** A session that reads a live table and keeps its transaction open: the cut-over must wait for it. */
async function holdReaderLock(url: string): Promise<{ release: () => Promise<void> }> {
  const client = new pg.Client({ connectionString: url });
  client.on("error", () => {});
  await client.connect();
  await client.query("BEGIN");
  await client.query("SELECT count(*) FROM public.items");
  return {
    release: async () => {
      await client.query("COMMIT").catch(() => {});
      await client.end().catch(() => {});
    },
  };
}

const msg = (l: LogLine) => String(l.msg ?? "");

describe("pgsync-ts serve", () => {
  it("runs on a cron with seconds, records each run, and never starts a second run while one is going", async () => {
    const { source, destination } = await pair();
    const config = writeConfig({
      shutdownGraceSeconds: 30,
      profiles: {
        fast: {
          source: source.url,
          destination: destination.url,
          schedule: { cron: "*/2 * * * * *" },
          misfireGraceSeconds: 600,
          timeouts: { lockSeconds: 120 },
        },
      },
    });
    cleanups.push(config.remove);
    // A first (manual) copy, so the scheduled runs have live tables to swap.
    const first = await runCli(["run", "--profile", "fast", "--config", config.file]);
    expect(first.code).toBe(0);
    const reader = await holdReaderLock(destination.url);
    cleanups.push(reader.release);

    const service = serve(["--config", config.file]);
    const registered = await service.waitForLine(
      (l) => msg(l).startsWith("registered job fast"),
      "start-up log",
    );
    expect(registered).toMatchObject({ profile: "fast", cron: "*/2 * * * * *", timezone: "UTC" });
    expect(registered.source).toBe(source.url.replace(/:[^:@/]+@/, ":***@"));
    expect(registered.destination).toBe(destination.url.replace(/:[^:@/]+@/, ":***@"));
    const next = registered.next as string[];
    expect(next).toHaveLength(2);
    expect(new Date(next[1] as string).getTime() - new Date(next[0] as string).getTime()).toBe(2000);

    // The first scheduled run reaches the cut-over and waits for the reader; two more slots fire meanwhile.
    await service.waitForLine(
      (l) => msg(l) === "step analyze done",
      "the scheduled run reaching the cut-over",
    );
    await eventually(
      async () =>
        service.lines().filter((l) => msg(l).startsWith("waiting: the run scheduled for")).length >= 2
          ? true
          : undefined,
      "two triggers during the long run",
    );
    // Triggers that arrived during the run are coalesced: the older waiting slot is skipped as superseded.
    const during = await eventually(async () => {
      const rows = await runs(destination.url);
      return rows.some((r) => r.status === "skipped" && r.error?.message.startsWith("superseded"))
        ? rows
        : undefined;
    }, "a superseded slot recorded as skipped");
    expect(during.filter((r) => r.status === "running")).toHaveLength(1);

    await reader.release();
    const done = await eventually(async () => {
      const rows = await runs(destination.url);
      return rows.filter((r) => r.trigger === "scheduled" && r.status === "succeeded").length >= 2
        ? rows
        : undefined;
    }, "two scheduled runs to succeed");
    expect(await service.stop()).toBe(0);

    // Every run is recorded (the manual one first), and no two runs ever overlapped.
    expect(done[0]).toMatchObject({ trigger: "manual", status: "succeeded" });
    const ran = (await runs(destination.url)).filter((r) => r.status !== "skipped");
    expect(ran.every((r) => r.finished_at !== null && r.status === "succeeded")).toBe(true);
    const byStart = [...ran].sort((a, b) => a.started_at.getTime() - b.started_at.getTime());
    for (let i = 1; i < byStart.length; i++) {
      expect(byStart[i]?.started_at.getTime()).toBeGreaterThanOrEqual(
        byStart[i - 1]?.finished_at?.getTime() ?? 0,
      );
    }
    // Scheduled runs carry the slot they served: whole, even seconds.
    for (const r of ran.filter((x) => x.trigger === "scheduled")) {
      expect((r.scheduled_for?.getTime() ?? 1) % 2000).toBe(0);
    }
    // Logs: JSON lines on stderr, each with a profile field, and no password anywhere.
    const lines = service.lines();
    expect(lines.length).toBeGreaterThan(10);
    expect(lines.every((l) => typeof l.profile === "string")).toBe(true);
    const password = new URL(source.url).password;
    expect(service.stderr()).not.toContain(password);
    expect(lines.some((l) => l.profile === "*" && msg(l) === "stopped")).toBe(true);
  });

  it("two profiles writing to the same destination never run at once", async () => {
    const { source, destination } = await pair();
    const other = await freshDatabase(sourceMajor);
    databases.push(other);
    await withClient(other.url, (c) =>
      c.query("CREATE TABLE other_items AS SELECT generate_series(1, 200) AS id"),
    );
    const profile = (src: string) => ({
      source: src,
      destination: destination.url,
      schedule: { cron: "*/2 * * * * *" },
    });
    const config = writeConfig({ profiles: { one: profile(source.url), two: profile(other.url) } });
    cleanups.push(config.remove);
    const service = serve(["--config", config.file]);
    await eventually(async () => {
      const rows = await runs(destination.url).catch(() => []);
      const ok = (name: string) =>
        rows.filter((r) => r.profile === name && r.status === "succeeded").length >= 2;
      return ok("one") && ok("two") ? true : undefined;
    }, "two runs of each profile");
    expect(await service.stop()).toBe(0);
    const ran = (await runs(destination.url)).filter((r) => r.status !== "skipped");
    expect(ran.every((r) => r.status === "succeeded")).toBe(true);
    const byStart = [...ran].sort((a, b) => a.started_at.getTime() - b.started_at.getTime());
    for (let i = 1; i < byStart.length; i++) {
      expect(byStart[i]?.started_at.getTime()).toBeGreaterThanOrEqual(
        byStart[i - 1]?.finished_at?.getTime() ?? 0,
      );
    }
    expect(service.lines().some((l) => msg(l).startsWith("registered job one"))).toBe(true);
    expect(service.lines().some((l) => msg(l).startsWith("registered job two"))).toBe(true);
  });

  it.each([
    ["within the grace: the missed run starts at once", 3, "succeeded"],
    ["past the grace: the missed run is skipped and the skip is recorded", 20, "skipped"],
  ] as const)("after a restart, %s", async (_name, minutesLate, expected) => {
    const { source, destination } = await pair();
    // The slot that was missed while the service was down: `minutesLate` minutes ago, on a daily cron.
    const now = Date.now();
    const slot = new Date(Math.floor((now - minutesLate * 60_000) / 60_000) * 60_000);
    const cron = `${slot.getUTCMinutes()} ${slot.getUTCHours()} * * *`;
    // The history shows the service ran the profile at yesterday's slot, and nothing since.
    const history = await openHistory(destination.url, 10);
    await insertFinished(
      history.client,
      {
        profile: "nightly",
        trigger: "scheduled",
        scheduledFor: new Date(slot.getTime() - 86_400_000),
        startedAt: new Date(slot.getTime() - 86_400_000),
        source: "postgres://u:***@old/db",
        destination: "postgres://u:***@old/db",
      },
      { status: "succeeded", finishedAt: new Date(slot.getTime() - 86_390_000), seconds: 10 },
    );
    await history.close();
    const config = writeConfig({
      profiles: {
        nightly: {
          source: source.url,
          destination: destination.url,
          schedule: { cron, timezone: "UTC" },
          misfireGraceSeconds: 600,
        },
      },
    });
    cleanups.push(config.remove);

    const service = serve(["--config", config.file]);
    const missedLine = await service.waitForLine(
      (l) => msg(l).includes("scheduled run(s) missed"),
      "the missed-run log",
    );
    expect(missedLine).toMatchObject({ profile: "nightly", scheduledFor: slot.toISOString(), missed: 1 });
    const row = await eventually(async () => {
      const rows = await runs(destination.url);
      return rows.find((r) => r.scheduled_for?.getTime() === slot.getTime() && r.status !== "running");
    }, "the missed slot to be run or skipped");
    expect(row).toMatchObject({ trigger: "scheduled", status: expected });
    if (expected === "skipped") {
      expect(row.error?.message).toMatch(
        /could start only 2\d(\.\d)?min late, past the misfire grace of 10min$/,
      );
      await service.waitForLine((l) => msg(l).startsWith("skipped: the run scheduled for"), "the skip log");
      // Nothing was copied.
      const live = await withClient(
        destination.url,
        async (c) => (await c.query("SELECT to_regclass('public.items') AS t")).rows[0].t,
      );
      expect(live).toBeNull();
    } else {
      await service.waitForLine((l) => msg(l).includes("catching up a run missed"), "the catch-up log");
      expect(
        await withClient(
          destination.url,
          async (c) => (await c.query("SELECT count(*)::int AS n FROM items")).rows[0].n,
        ),
      ).toBe(500);
    }
    expect(await service.stop()).toBe(0);
    // A second restart finds the slot recorded and does not run or skip it again.
    const again = serve(["--config", config.file]);
    await again.waitForLine((l) => msg(l).startsWith("scheduler started"), "the second start");
    await new Promise((r) => setTimeout(r, 1500));
    expect(await again.stop()).toBe(0);
    expect(again.lines().some((l) => msg(l).includes("missed"))).toBe(false);
    expect(
      (await runs(destination.url)).filter((r) => r.scheduled_for?.getTime() === slot.getTime()),
    ).toHaveLength(1);
  });

  it("SIGTERM during a run: the run is aborted after the shutdown grace, the process exits 0, the destination keeps its old state", async () => {
    const { source, destination } = await pair();
    const config = writeConfig({
      shutdownGraceSeconds: 1,
      profiles: {
        fast: {
          source: source.url,
          destination: destination.url,
          schedule: { cron: "*/2 * * * * *" },
          timeouts: { lockSeconds: 120 },
        },
      },
    });
    cleanups.push(config.remove);
    expect((await runCli(["run", "--profile", "fast", "--config", config.file])).code).toBe(0);
    const old = await captureState(destination.url);
    await withClient(source.url, (c) =>
      c.query("UPDATE items SET name = 'changed' WHERE id <= 100; INSERT INTO items VALUES (1000, 'new');"),
    );
    const reader = await holdReaderLock(destination.url);
    cleanups.push(reader.release);

    const service = serve(["--config", config.file]);
    await service.waitForLine(
      (l) => msg(l) === "step analyze done",
      "the scheduled run reaching the cut-over",
    );
    const code = await service.stop("SIGTERM");
    expect(code).toBe(0);
    await reader.release();

    expect(service.lines().some((l) => msg(l).startsWith("aborted fast after the 1s shutdown grace"))).toBe(
      true,
    );
    expect(await captureState(destination.url)).toEqual(old);
    const rows = await runs(destination.url);
    expect(rows.map((r) => [r.trigger, r.status])).toEqual([
      ["manual", "succeeded"],
      ["scheduled", "interrupted"],
    ]);
    // The interrupted run cleaned up after itself.
    const leftovers = await withClient(
      destination.url,
      async (c) =>
        (await c.query("SELECT nspname FROM pg_namespace WHERE nspname LIKE '\\_pgsync\\_stage%'")).rows,
    );
    expect(leftovers).toEqual([]);
  });
});
