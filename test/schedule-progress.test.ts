import { afterAll, describe, expect, it } from "vitest";
import { estimateTables, RunProgress } from "../src/cli/progress.js";
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
    databases.push(source);
    await withClient(source.url, (c) =>
      c.query(`CREATE TABLE items (id int PRIMARY KEY); INSERT INTO items SELECT generate_series(1, 3000);
               CREATE SCHEMA "Sales"; CREATE TABLE "Sales"."Big Deals" (id int); INSERT INTO "Sales"."Big Deals" SELECT generate_series(1, 1000);
               ANALYZE;`),
    );
    const estimates = await estimateTables(source.url, 10);
    expect(estimates.get('"public"."items"')?.rows).toBe(3000);
    expect(estimates.get('"Sales"."Big Deals"')?.rows).toBe(1000);
    expect(estimates.get('"public"."items"')?.bytes).toBeGreaterThan(0);

    const progress = new RunProgress();
    progress.setEstimates(estimates);
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
