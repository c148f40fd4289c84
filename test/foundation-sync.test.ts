import { readFileSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { runSync } from "../src/pipeline/run.js";
import { captureState } from "./helpers/db-state.js";
import {
  type FreshDatabase,
  freshDatabase,
  type PgMajor,
  testMajors,
  withClient,
} from "./helpers/pg-servers.js";

const FIXTURE = readFileSync(new URL("./fixtures/foundation-kinds.sql", import.meta.url), "utf8");

/**
 * The pairs this suite syncs: 17 -> 14 and 14 -> 17 (newer to older and back), plus a rotation so
 * that every version in the run is a source and a destination at least once.
 */
function pairs(): [PgMajor, PgMajor][] {
  const majors = testMajors();
  const out: [PgMajor, PgMajor][] = [];
  if (majors.includes(17) && majors.includes(14)) out.push([17, 14], [14, 17]);
  majors.forEach((m, i) => {
    const next = majors[(i + 1) % majors.length] as PgMajor;
    if (!out.some(([a, b]) => a === m && b === next)) out.push([m, next]);
  });
  return out;
}

const databases: FreshDatabase[] = [];
async function fresh(major: PgMajor): Promise<FreshDatabase> {
  const db = await freshDatabase(major);
  databases.push(db);
  return db;
}
afterAll(async () => {
  await Promise.all(databases.map((d) => d.drop()));
});

describe.each(pairs())("sync PostgreSQL %i -> %i", (from, to) => {
  it("copies every object kind of the foundation fixture, row for row", async () => {
    const source = await fresh(from);
    const destination = await fresh(to);
    await withClient(source.url, (c) => c.query(FIXTURE));

    const report = await runSync({ sourceUrl: source.url, destinationUrl: destination.url, parallelism: 3 });
    expect(report.error).toBeUndefined();
    expect(report.ok).toBe(true);
    expect(report.verification?.ok).toBe(true);
    expect(report.totals.tables).toBe(5);
    expect(report.totals.rows).toBe(300 + 20 + 200 + 150 + 2);
    expect(report.steps.filter((s) => s.status !== "done")).toEqual([]);

    const [expected, actual] = await Promise.all([captureState(source.url), captureState(destination.url)]);
    expect(actual).toEqual(expected);
    // The capture is not vacuous: it saw the fixture's tables, rows and sequences.
    expect(Object.keys(actual.rows)).toHaveLength(5);
    expect(actual.rows['"Sales Data"."Deals"']).toHaveLength(150);
    expect(actual.sequences.some((s) => s.startsWith("app.invoice_numbers") && s.endsWith("last=1030"))).toBe(
      true,
    );

    // The copy is usable: identity and serial columns continue after the copied values.
    await withClient(destination.url, async (c) => {
      const next = await c.query("INSERT INTO app.users (email) VALUES ('new@example.com') RETURNING id");
      expect(Number(next.rows[0].id)).toBe(10 + 5 * 300);
      const team = await c.query("INSERT INTO app.teams (name) VALUES ('new') RETURNING id");
      expect(team.rows[0].id).toBe(21);
    });
  });
});

describe("repeated runs", () => {
  const [from, to] = pairs()[0] as [PgMajor, PgMajor];

  it(`a second run (${from} -> ${to}) replaces the first copy and keeps it as a snapshot`, async () => {
    const source = await fresh(from);
    const destination = await fresh(to);
    await withClient(source.url, (c) => c.query(FIXTURE));
    const first = await runSync({ sourceUrl: source.url, destinationUrl: destination.url });
    expect(first.ok).toBe(true);
    const firstState = await captureState(destination.url);

    await withClient(source.url, (c) =>
      c.query(`
        DELETE FROM app.members WHERE role = 'admin';
        UPDATE "Sales Data"."Deals" SET notes = 'changed' WHERE "Deal ID" <= 10;
        CREATE TABLE public.added_later (id int PRIMARY KEY, v text);
        INSERT INTO public.added_later SELECT g, 'v' || g FROM generate_series(1, 42) g;
        DROP TABLE public.settings;`),
    );
    const second = await runSync({ sourceUrl: source.url, destinationUrl: destination.url });
    expect(second.error).toBeUndefined();
    expect(second.ok).toBe(true);

    const [expected, actual] = await Promise.all([captureState(source.url), captureState(destination.url)]);
    expect(actual).toEqual(expected);
    expect(actual).not.toEqual(firstState);
    expect(actual.rows["public.added_later"]).toHaveLength(42);
    expect(actual.rows["public.settings"]).toBeUndefined();

    // The first copy was not destroyed: it is the second run's snapshot, with its rows intact.
    const snapshotPublic = second.snapshot?.schemas.find((s) => s.original === "public")?.snapshot;
    expect(snapshotPublic).toBeDefined();
    await withClient(destination.url, async (c) => {
      const kept = await c.query(`SELECT count(*)::int AS n FROM "${snapshotPublic}".settings`);
      expect(kept.rows[0].n).toBe(2);
      const staging = await c.query(
        "SELECT count(*)::int AS n FROM pg_namespace WHERE nspname LIKE '\\_pgsync\\_stage%'",
      );
      expect(staging.rows[0].n).toBe(0);
    });
  });

  it("leaves destination schemas that the source does not have alone", async () => {
    const source = await fresh(from);
    const destination = await fresh(to);
    await withClient(source.url, (c) => c.query(FIXTURE));
    await withClient(destination.url, (c) =>
      c.query(
        "CREATE SCHEMA local_only; CREATE TABLE local_only.notes (id int, body text); INSERT INTO local_only.notes VALUES (1, 'keep me');",
      ),
    );
    const report = await runSync({ sourceUrl: source.url, destinationUrl: destination.url });
    expect(report.ok).toBe(true);
    await withClient(destination.url, async (c) => {
      const kept = await c.query("SELECT body FROM local_only.notes");
      expect(kept.rows).toEqual([{ body: "keep me" }]);
    });
  });
});
