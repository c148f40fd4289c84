import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { introspect } from "../src/introspect/index.js";
import { runSync } from "../src/pipeline/run.js";
import { captureState } from "./helpers/db-state.js";
import { loadFixture } from "./helpers/fixtures.js";
import { normalizeModel } from "./helpers/model-compare.js";
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

async function modelOf(url: string) {
  return withClient(url, async (c) => {
    await c.query("BEGIN; SET LOCAL search_path = pg_catalog");
    try {
      return await introspect(c);
    } finally {
      await c.query("ROLLBACK");
    }
  });
}

describe.each(schemaPairs())("schema fidelity %i -> %i", (from, to) => {
  it("carries every object kind of the fixture and reads back the same model and rows", async () => {
    const source = await freshDatabase(from);
    const destination = await freshDatabase(to);
    databases.push(source, destination);
    await withClient(source.url, (c) => loadFixture(c, "schema-kinds.sql"));

    const report = await runSync({ sourceUrl: source.url, destinationUrl: destination.url, parallelism: 2 });
    expect(report.error).toBeUndefined();
    expect(report.ok).toBe(true);
    expect(report.notCarried).toEqual([]);

    const [sourceModel, destinationModel] = await Promise.all([
      modelOf(source.url),
      modelOf(destination.url),
    ]);
    expect(normalizeModel(destinationModel)).toEqual(normalizeModel(sourceModel));
    // Not vacuous: the fixture's kinds are all there.
    expect(destinationModel.views.map((v) => v.name)).toContain("happy_people");
    expect(destinationModel.triggers).toHaveLength(7);
    expect(destinationModel.policies).toHaveLength(3);
    expect(destinationModel.comments.length).toBeGreaterThanOrEqual(18);
    expect(destinationModel.tables.find((t) => t.name === "events_2024_eu_1")?.partitionOf?.parent.name).toBe(
      "events_2024_eu",
    );

    const [expected, actual] = await Promise.all([captureState(source.url), captureState(destination.url)]);
    expect(actual.rows).toEqual(expected.rows);
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
