import { describe, expect, it } from "vitest";
import { misfireDecision, startupMisfire } from "../../src/schedule/misfire.js";
import { type ScheduledJob, Scheduler, type SchedulerHandlers } from "../../src/schedule/scheduler.js";

/** A clock the test moves by hand, so lateness is exact and nothing depends on timing. */
function manualClock(start = new Date("2026-11-26T06:00:00Z")) {
  let now = start.getTime();
  return {
    now: () => new Date(now),
    advance: (ms: number) => {
      now += ms;
    },
  };
}

/** Handlers that record what the scheduler does; each run waits until the test releases it. */
function recorder() {
  const events: string[] = [];
  const releases: (() => void)[] = [];
  let concurrent = 0;
  let maxConcurrent = 0;
  const handlers: SchedulerHandlers = {
    run: async (job, slot) => {
      concurrent++;
      maxConcurrent = Math.max(maxConcurrent, concurrent);
      events.push(`run ${job.name} ${slot.toISOString()}`);
      await new Promise<void>((resolve) => releases.push(resolve));
      concurrent--;
      events.push(`done ${job.name} ${slot.toISOString()}`);
    },
    skip: async (job, slot, reason) => {
      const why = reason.startsWith("superseded")
        ? "superseded"
        : reason.includes("misfire grace")
          ? "late"
          : reason;
      events.push(`skip ${job.name} ${slot.toISOString()} ${why}`);
    },
    waiting: (job, slot) => {
      events.push(`wait ${job.name} ${slot.toISOString()}`);
    },
  };
  return {
    handlers,
    events,
    maxConcurrent: () => maxConcurrent,
    /** Releases the oldest running run and lets the scheduler move on. */
    release: async () => {
      releases.shift()?.();
      await new Promise((r) => setTimeout(r, 20));
    },
    settle: () => new Promise((r) => setTimeout(r, 20)),
  };
}

const job = (name: string, key: string, graceSeconds = 600): ScheduledJob => ({
  name,
  cron: "0 6,18 * * *",
  timezone: "UTC",
  graceSeconds,
  exclusiveKey: key,
});

const at = (iso: string) => new Date(iso);

describe("misfire decision", () => {
  const slot = at("2026-11-26T06:00:00Z");
  it.each([
    [0, 600, true],
    [500, 0, true], // timer jitter under a second is on time, even with no grace
    [1500, 0, false],
    [599_000, 600, true],
    [600_000, 600, false], // late by exactly the grace: skipped ("less than the grace" runs)
    [3_600_000, 600, false],
  ])("late by %i ms with a grace of %i s: runs %s", (lateMs, grace, runs) => {
    const decision = misfireDecision(slot, new Date(slot.getTime() + lateMs), grace);
    expect(decision.run).toBe(runs);
    expect(decision.lateMs).toBe(lateMs);
    if (!decision.run) expect(decision.reason).toContain("past the misfire grace");
  });
});

describe("startup misfire: what the run history says was missed", () => {
  const schedule = { cron: "0 6,18 * * *", timezone: "UTC" };
  it("nothing when the service never scheduled the profile", () => {
    expect(startupMisfire(schedule, null, at("2026-11-26T06:05:00Z"))).toBeNull();
  });
  it("nothing when the newest slot is recorded", () => {
    expect(startupMisfire(schedule, at("2026-11-26T06:00:00Z"), at("2026-11-26T06:05:00Z"))).toBeNull();
  });
  it("the newest slot, and how many were missed since the last recorded one", () => {
    expect(startupMisfire(schedule, at("2026-11-25T18:00:00Z"), at("2026-11-26T06:05:00Z"))).toEqual({
      slot: at("2026-11-26T06:00:00Z"),
      missed: 1,
    });
    expect(startupMisfire(schedule, at("2026-11-24T06:00:00Z"), at("2026-11-26T06:05:00Z"))).toEqual({
      slot: at("2026-11-26T06:00:00Z"),
      missed: 4,
    });
  });
  it("reads the cron expression in the profile's time zone", () => {
    // 06:00 in Berlin is 05:00 UTC in winter.
    const berlin = { cron: "0 6 * * *", timezone: "Europe/Berlin" };
    expect(startupMisfire(berlin, at("2026-11-24T05:00:00Z"), at("2026-11-26T05:30:00Z"))?.slot).toEqual(
      at("2026-11-26T05:00:00Z"),
    );
  });
});

describe("scheduler", () => {
  it("never runs a profile twice at once: a slot that arrives during a run waits, and a newer one supersedes it", async () => {
    const clock = manualClock();
    const r = recorder();
    const s = new Scheduler([job("dev", "db1")], r.handlers, clock.now);
    s.trigger("dev", at("2026-11-26T06:00:00Z"));
    await r.settle();
    s.trigger("dev", at("2026-11-26T06:00:02Z"));
    s.trigger("dev", at("2026-11-26T06:00:04Z"));
    await r.settle();
    expect(s.status("dev")?.running?.slot).toEqual(at("2026-11-26T06:00:00Z"));
    expect(s.status("dev")?.pending).toEqual(at("2026-11-26T06:00:04Z"));
    clock.advance(5000);
    await r.release();
    await r.release();
    await s.idle();
    expect(r.events).toEqual([
      "run dev 2026-11-26T06:00:00.000Z",
      "wait dev 2026-11-26T06:00:02.000Z",
      "skip dev 2026-11-26T06:00:02.000Z superseded",
      "wait dev 2026-11-26T06:00:04.000Z",
      "done dev 2026-11-26T06:00:00.000Z",
      "run dev 2026-11-26T06:00:04.000Z",
      "done dev 2026-11-26T06:00:04.000Z",
    ]);
    expect(r.maxConcurrent()).toBe(1);
  });

  it("a slot delayed by an overrunning run still runs within the grace, and is skipped past it", async () => {
    for (const [overrunMs, expected] of [
      [9 * 60_000, "run"],
      [11 * 60_000, "skip"],
    ] as const) {
      const clock = manualClock();
      const r = recorder();
      const s = new Scheduler([job("dev", "db1", 600)], r.handlers, clock.now);
      s.trigger("dev", clock.now());
      await r.settle();
      const next = new Date(clock.now().getTime() + 1000);
      clock.advance(1000);
      s.trigger("dev", next);
      clock.advance(overrunMs);
      await r.release();
      await r.settle();
      const last = r.events[r.events.length - 1] ?? "";
      expect(last.startsWith(`${expected} dev ${next.toISOString()}`)).toBe(true);
      if (expected === "skip") expect(last).toBe(`skip dev ${next.toISOString()} late`);
      await r.release();
      await s.idle();
    }
  });

  it("two profiles writing to the same destination never run at once; other destinations run in parallel", async () => {
    const clock = manualClock();
    const r = recorder();
    const s = new Scheduler([job("a", "db1"), job("b", "db1"), job("c", "db2")], r.handlers, clock.now);
    const slot = clock.now();
    s.trigger("a", slot);
    s.trigger("b", slot);
    s.trigger("c", slot);
    await r.settle();
    expect(r.events.filter((e) => e.startsWith("run")).sort()).toEqual([
      `run a ${slot.toISOString()}`,
      `run c ${slot.toISOString()}`,
    ]);
    expect(s.status("b")?.pending).toEqual(slot);
    await r.release(); // a finishes; b may start
    expect(r.events).toContain(`run b ${slot.toISOString()}`);
    await r.release();
    await r.release();
    await s.idle();
    expect(r.maxConcurrent()).toBe(2);
  });

  it("stop() lets a run finish within the grace, and aborts it after", async () => {
    const clock = manualClock();
    let aborted = false;
    const s = new Scheduler(
      [job("dev", "db1")],
      {
        run: (_job, _slot, ctx) =>
          new Promise<void>((resolve) => {
            ctx.signal.addEventListener("abort", () => {
              aborted = true;
              resolve();
            });
          }),
        skip: async () => {},
      },
      clock.now,
    );
    s.trigger("dev", clock.now());
    await new Promise((r) => setTimeout(r, 20));
    expect(s.alive).toBe(true);
    const stopped = await s.stop(50);
    expect(stopped).toEqual(["dev"]);
    expect(aborted).toBe(true);
    expect(s.alive).toBe(false);
    s.trigger("dev", clock.now());
    expect(s.status("dev")?.pending).toBeNull();
  });

  it("health: a slot whose grace has passed without a run makes the profile unhealthy", async () => {
    const clock = manualClock(at("2026-11-26T05:00:00Z"));
    const r = recorder();
    const s = new Scheduler([job("dev", "db1", 600)], r.handlers, clock.now);
    expect(s.health()).toEqual([{ name: "dev", ok: true, dueSlot: null, lastStartedSlot: null }]);
    clock.advance(65 * 60_000); // 06:05: the 06:00 slot is within its grace
    expect(s.health()[0]?.ok).toBe(true);
    clock.advance(10 * 60_000); // 06:15: past the grace, and no run started
    expect(s.health()[0]).toMatchObject({ ok: false, dueSlot: at("2026-11-26T06:00:00Z") });
    s.trigger("dev", at("2026-11-26T06:00:00Z"));
    await r.settle();
    expect(r.events[r.events.length - 1]).toContain("skip dev");
    s.trigger("dev", at("2026-11-26T06:14:59Z")); // pretend a slot fired and ran
    await r.settle();
    expect(s.health()[0]).toMatchObject({ ok: true });
    await r.release();
    await s.idle();
  });
});
