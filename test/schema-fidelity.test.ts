/**
 * Schema fidelity, judged by the independent oracle (test/oracle, which shares no code with the
 * tool): every object kind of test/fixtures/schema-kinds.sql is copied, and the catalog and data
 * fingerprints of source and destination must be the same, apart from the documented differences
 * of the version pair (test/helpers/oracle-compare.ts): extension versions between majors, and the
 * view deparse spelling across 16.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runSync } from "../src/pipeline/run.js";
import { loadFixture } from "./helpers/fixtures.js";
import { compareWithOracle, EXTENSION_VERSIONS } from "./helpers/oracle-compare.js";
import { schemaPairs } from "./helpers/pairs.js";
import {
  createRole,
  type FreshDatabase,
  freshDatabase,
  testMajors,
  withClient,
} from "./helpers/pg-servers.js";

const databases: FreshDatabase[] = [];
beforeAll(async () => {
  // Policies name this role; roles are per server, so it exists on every one.
  await Promise.all(
    testMajors().map((m) => createRole(m, "pgsync_fixture_reader", { password: "x", login: false })),
  );
});
afterAll(async () => {
  await Promise.all(databases.map((d) => d.drop()));
});

/** How many fingerprint lines of a class the side has, and the objects of that class. */
function objectsOf(lines: readonly string[], cls: string): string[] {
  return [...new Set(lines.filter((l) => l.startsWith(`${cls}\t`)).map((l) => l.split("\t")[1] ?? ""))];
}

describe.each(schemaPairs())("schema fidelity %i -> %i", (from, to) => {
  it("carries every object kind of the fixture: the oracle finds the same catalog and rows", async () => {
    const source = await freshDatabase(from);
    const destination = await freshDatabase(to);
    databases.push(source, destination);
    await withClient(source.url, (c) => loadFixture(c, "schema-kinds.sql"));

    const report = await runSync({ sourceUrl: source.url, destinationUrl: destination.url, parallelism: 2 });
    expect(report.error).toBeUndefined();
    expect(report.ok).toBe(true);
    expect(report.notCarried).toEqual([]);

    const oracle = await compareWithOracle(source.url, destination.url, { documented: [EXTENSION_VERSIONS] });
    expect(oracle.unexpected).toBe("");
    // Not vacuous: the fixture's kinds are all there, as the oracle reads the destination.
    const dst = oracle.destinationLines;
    expect(objectsOf(dst, "view.definition")).toContain("app.happy_people");
    expect(objectsOf(dst, "trigger.definition")).toHaveLength(7);
    expect(objectsOf(dst, "policy.attributes")).toHaveLength(3);
    expect(objectsOf(dst, "comment").length).toBeGreaterThanOrEqual(18);
    expect(dst).toContainEqual(
      expect.stringMatching(
        /^relation\.partition-bound\tapp\.events_2024_eu_1\t\tFOR VALUES WITH \(modulus 2, remainder 1\)$/,
      ),
    );
    expect(dst.filter((l) => l.startsWith("data.content\t")).length).toBeGreaterThan(10);
    await withClient(destination.url, async (c) => {
      const populated = await c.query(
        "SELECT relname, relispopulated FROM pg_class WHERE relname IN ('mood_counts', 'empty_snapshot') ORDER BY 1",
      );
      expect(populated.rows).toEqual([
        { relname: "empty_snapshot", relispopulated: false },
        { relname: "mood_counts", relispopulated: true },
      ]);
      const call = await c.query("SELECT app.add(2) AS a, app.total(1, 2, 3) AS t, app.greet('x') AS g");
      expect(call.rows[0]).toEqual({ a: 3, t: "6", g: "hello x" });
    });
  });
});
