import { afterAll, describe, expect, it } from "vitest";
import { RunProgress } from "../src/cli/progress.js";
import { createLogger } from "../src/output/logger.js";
import { type RunEvent, runSync } from "../src/pipeline/run.js";
import {
  type FreshDatabase,
  freshDatabase,
  type PgMajor,
  testMajors,
  withClient,
} from "./helpers/pg-servers.js";

const majors = testMajors();
const major = majors[majors.length - 1] as PgMajor;
const databases: FreshDatabase[] = [];
afterAll(async () => {
  await Promise.all(databases.map((d) => d.drop()));
});

describe("progress of an interactive run", () => {
  it("reads the source's row estimates and shows each copied table against them", async () => {
    const source = await freshDatabase(major);
    const destination = await freshDatabase(major);
    databases.push(source, destination);
    await withClient(source.url, (c) =>
      c.query(`CREATE TABLE items (id int PRIMARY KEY); INSERT INTO items SELECT generate_series(1, 3000);
               CREATE SCHEMA "Sales"; CREATE TABLE "Sales"."Big Deals" (id int); INSERT INTO "Sales"."Big Deals" SELECT generate_series(1, 1000);
               ANALYZE;`),
    );
    // The run reports the estimates it read at its snapshot in its copy-start event.
    const events: RunEvent[] = [];
    const report = await runSync({
      sourceUrl: source.url,
      destinationUrl: destination.url,
      onEvent: (e) => events.push(e),
    });
    expect(report.error).toBeUndefined();
    const start = events.find((e) => e.type === "copy-start");
    const estimates = new Map((start?.type === "copy-start" ? start.tables : []).map((t) => [t.table, t]));
    expect(estimates.get('"public"."items"')?.estimatedRows).toBe(3000);
    expect(estimates.get('"Sales"."Big Deals"')?.estimatedRows).toBe(1000);
    expect(estimates.get('"public"."items"')?.estimatedBytes).toBeGreaterThan(0);

    // The run's own events, as the CLI hands them over: each copied table against its estimate.
    const lines: string[] = [];
    const log = createLogger({ destination: { write: (line: string) => void lines.push(line) } });
    const replayed = new RunProgress();
    for (const e of events) if (e.type === "copy-start" || e.type === "table") replayed.handle(log, e);
    const copied = lines.map((l) => JSON.parse(l) as { msg: string; table?: string; estimatedRows?: number });
    expect(copied.find((l) => l.table === '"public"."items"')).toMatchObject({
      estimatedRows: 3000,
      msg: expect.stringMatching(/^copied "public"\."items": 3,000 rows \(100% of ~3,000 estimated\)/),
    });

    const progress = new RunProgress();
    if (start) progress.handle(log, start);
    const first = progress.table({ table: '"Sales"."Big Deals"', rows: 1000, bytes: 12_000, seconds: 0.2 });
    expect(first.message).toBe(
      'copied "Sales"."Big Deals": 1,000 rows (100% of ~1,000 estimated), 12.0 kB in 0.2s, [1/2] tables, 25% of all estimated rows',
    );
    expect(first.fields).toEqual({ estimatedRows: 1000, percentOfEstimate: 100, percentOfAllRows: 25 });
    const second = progress.table({ table: '"public"."items"', rows: 3300, bytes: 40_000, seconds: 0.5 });
    expect(second.fields).toEqual({ estimatedRows: 3000, percentOfEstimate: 110, percentOfAllRows: 100 });

    // Without estimates (not loaded yet, or the query failed), a table still shows what was copied.
    const bare = new RunProgress().table({ table: '"public"."items"', rows: 5, bytes: 500, seconds: 0.1 });
    expect(bare.message).toBe('copied "public"."items": 5 rows, 500 B in 0.1s, [1] tables');
    expect(bare.fields).toEqual({});
  });
});
