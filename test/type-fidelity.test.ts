import { afterAll, describe, expect, it } from "vitest";
import { runSync } from "../src/pipeline/run.js";
import { loadFixture } from "./helpers/fixtures.js";
import { compareWithOracle, EXTENSION_VERSIONS } from "./helpers/oracle-compare.js";
import {
  type FreshDatabase,
  freshDatabase,
  type PgMajor,
  testMajors,
  withClient,
} from "./helpers/pg-servers.js";

/** Each version onto itself, plus the oldest to the newest and back. */
function pairs(): [PgMajor, PgMajor][] {
  const majors = testMajors();
  const out = majors.map((m) => [m, m] as [PgMajor, PgMajor]);
  const oldest = majors[0] as PgMajor;
  const newest = majors[majors.length - 1] as PgMajor;
  if (oldest !== newest) out.push([oldest, newest], [newest, oldest]);
  return out;
}

const databases: FreshDatabase[] = [];
afterAll(async () => {
  await Promise.all(databases.map((d) => d.drop()));
});

describe.each(pairs())("type fidelity %i -> %i", (from, to) => {
  it("carries every value exactly, on the binary and the text COPY path", async () => {
    const source = await freshDatabase(from);
    const destination = await freshDatabase(to);
    databases.push(source, destination);
    await withClient(source.url, (c) => loadFixture(c, "type-fidelity.sql"));

    const report = await runSync({ sourceUrl: source.url, destinationUrl: destination.url });
    expect(report.error).toBeUndefined();
    const format = (name: string) => report.tables.find((t) => t.table === `"public"."${name}"`)?.format;
    expect(format("core")).toBe("binary");
    expect(format("rich")).toBe("text");

    // The independent oracle: every row's text (as the servers print it, with the same output
    // settings on both sides, in column order) and the catalog, source against destination.
    const oracle = await compareWithOracle(source.url, destination.url, {
      documented: [EXTENSION_VERSIONS],
    });
    expect(oracle.unexpected).toBe("");
    expect(oracle.destinationLines).toContain("data.row-count\tpublic.core\t\t5");
    expect(oracle.destinationLines).toContain("data.row-count\tpublic.rich\t\t5");

    await withClient(destination.url, async (c) => {
      // Exact comparisons the text form could hide: -0, NaN, the TOASTed sizes, NULL against ''.
      const checks = await c.query(`
        SELECT (SELECT r8::text FROM core WHERE id = 2) AS minus_zero,
               (SELECT num::text FROM core WHERE id = 1) AS nan,
               (SELECT length(num::text) FROM core WHERE id = 5) AS long_numeric,
               (SELECT octet_length(t) FROM core WHERE id = 5) AS toast_text,
               (SELECT octet_length(b) FROM core WHERE id = 5) AS toast_bytea,
               (SELECT t = '' FROM core WHERE id = 2) AS empty_is_empty,
               (SELECT t IS NULL FROM core WHERE id = 4) AS null_is_null,
               (SELECT js::text FROM core WHERE id = 1) AS json_text,
               (SELECT count(*) FROM computed WHERE twice = a * 2)::int AS generated_ok`);
      expect(checks.rows[0]).toEqual({
        minus_zero: "-0",
        nan: "NaN",
        long_numeric: 1001,
        toast_text: 4_400_000,
        toast_bytea: 1_500_000,
        empty_is_empty: true,
        null_is_null: true,
        json_text: '{"a": 1,   "a": 2,  "nested": [1, 2, {"x": null}]}',
        generated_ok: 10,
      });
      const next = await c.query("INSERT INTO computed (a) VALUES (100) RETURNING id, twice");
      expect(next.rows[0]).toEqual({ id: 11, twice: 200 });
    });
  });
});
