import { describe, expect, it } from "vitest";
import { CopyMeter } from "../../src/cli/copy-meter.js";
import { duration } from "../../src/cli/progress-bars.js";
import { expectedSnapshots } from "../../src/restore/snapshot-storage.js";
import { runsPerDay } from "../../src/schedule/runs-per-day.js";

const estimates = [
  { table: '"public"."big"', estimatedRows: 1000, estimatedBytes: 100_000 },
  { table: '"public"."small"', estimatedRows: 10, estimatedBytes: 1_000 },
];

describe("CopyMeter", () => {
  it("estimates rows, throughput and an ETA from the bytes copied so far", () => {
    const meter = new CopyMeter(estimates, 0);
    meter.progress('"public"."big"', 0, 0);
    meter.progress('"public"."big"', 25_000, 5);
    const big = meter.table('"public"."big"', 5);
    expect(big).toMatchObject({ bytes: 25_000, expectedBytes: 100_000, rows: 250, expectedRows: 1000 });
    expect(big.bytesPerSecond).toBe(5_000);
    expect(big.etaSeconds).toBe(15);
    const overall = meter.overall(5);
    expect(overall).toMatchObject({ tablesDone: 0, tables: 2, bytes: 25_000, expectedBytes: 101_000 });
    expect(overall.etaSeconds).toBeCloseTo((76 / 5) * 1, 5);
  });

  it("while no byte arrives, the ETA grows with the time waited", () => {
    const meter = new CopyMeter(estimates, 0);
    meter.progress('"public"."big"', 10_000, 0);
    const etas = [1, 2, 4].map((at) => meter.overall(at).etaSeconds ?? 0);
    expect(etas[0]).toBeLessThan(etas[1] as number);
    expect(etas[1]).toBeLessThan(etas[2] as number);
  });

  it("corrects the other tables' estimates by what the finished ones sent against their size on disk", () => {
    const meter = new CopyMeter(estimates, 0);
    meter.finished('"public"."small"', { bytes: 500, rows: 10, seconds: 1 }, 1);
    // small sent half its size on disk: big is expected at half its size too.
    expect(meter.table('"public"."big"', 1).expectedBytes).toBe(50_000);
    expect(meter.table('"public"."small"', 1)).toMatchObject({ fraction: 1, rows: 10, etaSeconds: 0 });
    expect(meter.overall(1)).toMatchObject({ tablesDone: 1, expectedBytes: 50_500 });
  });

  it("has no ETA once a table is past its estimate, and never shows 100% before the end", () => {
    const meter = new CopyMeter(estimates, 0);
    meter.progress('"public"."small"', 5_000, 1);
    const small = meter.table('"public"."small"', 2);
    expect(small.etaSeconds).toBeUndefined();
    expect(small.fraction).toBe(0.99);
    expect(small.rows).toBe(10);
  });
});

describe("duration", () => {
  it.each([
    [0, "0s"],
    [59.4, "59s"],
    [125, "2m05s"],
    [3720, "1h02m"],
  ])("%d s reads %s", (seconds, text) => {
    expect(duration(seconds)).toBe(text);
  });
});

describe("the snapshots a retention is expected to keep", () => {
  it("counts the runs of `days` days, capped by `count`", () => {
    expect(expectedSnapshots({ retention: { days: 3 }, runsPerDay: 2 })).toBe(6);
    expect(expectedSnapshots({ retention: { days: 7 } })).toBe(14);
    expect(expectedSnapshots({ retention: { days: 7, count: 3 }, runsPerDay: 24 })).toBe(3);
    expect(expectedSnapshots({ retention: { days: 36_500, count: 1 } })).toBe(1);
    expect(expectedSnapshots({ retention: { days: 7 }, runsPerDay: 1 / 7 })).toBe(1);
  });

  it("reads a schedule's runs a day over a week", () => {
    const from = new Date("2026-06-01T00:00:00Z");
    expect(runsPerDay({ cron: "15 6,18 * * *", timezone: "UTC" }, from)).toBe(2);
    expect(runsPerDay({ cron: "0 * * * *", timezone: "Europe/Berlin" }, from)).toBe(24);
    expect(runsPerDay({ cron: "0 2 * * 1", timezone: "UTC" }, from)).toBeCloseTo(1 / 7, 10);
    expect(runsPerDay(undefined, from)).toBeUndefined();
  });
});
