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

/**
 * Features of newer versions: carried where the destination has them, refused (before anything is
 * written) where it does not, with one error that lists every object, the feature and the version.
 */
interface Feature {
  readonly name: string;
  readonly since: PgMajor;
  readonly sql: string;
  /** Text the refusal must contain. */
  readonly refusal: RegExp;
  /** Checks on a destination that has the feature. */
  readonly carried: string;
}

const FEATURES: Feature[] = [
  {
    name: "UNIQUE NULLS NOT DISTINCT",
    since: 15,
    sql: "CREATE TABLE t_nnd (a int, CONSTRAINT t_nnd_a_key UNIQUE NULLS NOT DISTINCT (a)); INSERT INTO t_nnd VALUES (NULL);",
    refusal: /constraint "t_nnd_a_key" on "public"."t_nnd": UNIQUE NULLS NOT DISTINCT needs PostgreSQL 15/,
    carried: "SELECT pg_get_constraintdef(oid) AS x FROM pg_constraint WHERE conname = 't_nnd_a_key'",
  },
  {
    name: "security_invoker views",
    since: 15,
    sql: "CREATE TABLE t_base (a int); CREATE VIEW v_invoker WITH (security_invoker = true) AS SELECT a FROM t_base;",
    refusal: /view "public"."v_invoker": security_invoker views needs PostgreSQL 15/,
    carried: "SELECT array_to_string(reloptions, ',') AS x FROM pg_class WHERE relname = 'v_invoker'",
  },
  {
    name: "virtual generated columns",
    since: 18,
    sql: "CREATE TABLE t_virtual (a int, b int GENERATED ALWAYS AS (a * 2) VIRTUAL); INSERT INTO t_virtual VALUES (21);",
    refusal: /column "public"."t_virtual"."b": virtual generated columns needs PostgreSQL 18/,
    carried: "SELECT b::text AS x FROM t_virtual",
  },
  {
    name: "a default calling uuidv7()",
    since: 18,
    sql: "CREATE TABLE t_uuid (id uuid DEFAULT uuidv7(), v int); INSERT INTO t_uuid (v) VALUES (1);",
    refusal:
      /default value for column id of table public.t_uuid: it calls uuidv7\(\), which PostgreSQL \d+ does not have/,
    carried:
      "SELECT pg_get_expr(adbin, adrelid) AS x FROM pg_attrdef WHERE adrelid = 'public.t_uuid'::regclass",
  },
];

const majors = testMajors();
const databases: FreshDatabase[] = [];
afterAll(async () => {
  await Promise.all(databases.map((d) => d.drop()));
});
async function fresh(m: PgMajor): Promise<FreshDatabase> {
  const db = await freshDatabase(m);
  databases.push(db);
  return db;
}

// Only the features that some version in this run has (PGSYNC_TEST_VERSIONS may narrow it).
describe.each(FEATURES.filter((f) => majors.some((m) => m >= f.since)))("$name", (feature) => {
  const newer = majors.filter((m) => m >= feature.since);
  const older = majors.filter((m) => m < feature.since);

  // A narrowed run may hold no older version: the suite then still has a test, and says why.
  if (older.length === 0) {
    it(`has no older destination in this run (${majors.join(", ")})`, () => {
      expect(majors.every((m) => m >= feature.since)).toBe(true);
    });
  }

  it.each(older.flatMap((to) => newer.slice(-1).map((from) => [from, to] as const)))(
    "is refused from %i to %i, and the destination is left untouched",
    async (from, to) => {
      const source = await fresh(from);
      const destination = await fresh(to);
      await withClient(source.url, (c) => c.query(feature.sql));
      await withClient(destination.url, (c) =>
        c.query("CREATE TABLE keep_me (id int); INSERT INTO keep_me VALUES (7);"),
      );
      const before = await captureState(destination.url);

      // force: the destination holds a table of its own, which the non-empty guard would refuse first.
      const report = await runSync({ sourceUrl: source.url, destinationUrl: destination.url, force: true });
      expect(report.ok).toBe(false);
      expect(report.error?.kind).toBe("unportable");
      expect(String(report.error?.message)).toMatch(feature.refusal);
      expect(report.steps.find((s) => s.status === "failed")?.name).toBe("plan");
      expect(await captureState(destination.url)).toEqual(before);
      const staging = await withClient(
        destination.url,
        async (c) =>
          (
            await c.query(
              "SELECT count(*)::int AS n FROM pg_namespace WHERE nspname LIKE '\\_pgsync\\_stage%'",
            )
          ).rows[0].n,
      );
      expect(staging).toBe(0);
    },
  );

  it.each(
    newer
      .filter((m) => m >= feature.since)
      .slice(-1)
      .map((m) => [m, m] as const),
  )("is carried from %i to %i", async (from, to) => {
    const source = await fresh(from);
    const destination = await fresh(to);
    await withClient(source.url, (c) => c.query(feature.sql));
    const report = await runSync({ sourceUrl: source.url, destinationUrl: destination.url });
    expect(report.error).toBeUndefined();
    const read = (url: string) => withClient(url, async (c) => (await c.query(feature.carried)).rows);
    const expected = await read(source.url);
    expect(expected.length).toBeGreaterThan(0);
    expect(await read(destination.url)).toEqual(expected);
  });
});

describe("several unportable objects", () => {
  const from = majors[majors.length - 1] as PgMajor;
  const to = majors[0] as PgMajor;
  const applicable = FEATURES.filter((f) => from >= f.since && to < f.since);

  it.runIf(applicable.length >= 2)(`are listed in one error (${from} -> ${to})`, async () => {
    const source = await fresh(from);
    const destination = await fresh(to);
    for (const f of applicable) await withClient(source.url, (c) => c.query(f.sql));
    const report = await runSync({ sourceUrl: source.url, destinationUrl: destination.url });
    expect(report.ok).toBe(false);
    for (const f of applicable) expect(String(report.error?.message)).toMatch(f.refusal);
    expect(String(report.error?.message)).toContain(`cannot receive ${applicable.length} object(s)`);
  });
});
