/**
 * Hazards of swapping schemas on a live database, one test each: extensions installed in a swapped
 * schema, objects outside the sync, destination objects that depend on synced ones, PostgreSQL 14's
 * public schema for a non-superuser owner, references between schemas, function bodies and
 * search_path settings that name schemas, readers connected during the cut-over, and pruning that
 * must never cascade into live objects.
 */
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { type RunEvent, runSync } from "../src/pipeline/run.js";
import { dropToolSchema } from "../src/restore/drop-tool-schema.js";
import { listSnapshots } from "../src/restore/meta.js";
import { pruneSnapshots } from "../src/restore/retention.js";
import { rollback } from "../src/restore/rollback.js";
import { runCli } from "./helpers/cli.js";
import { captureState } from "./helpers/db-state.js";
import {
  createRole,
  type FreshDatabase,
  freshDatabase,
  type PgMajor,
  testMajors,
  withClient,
} from "./helpers/pg-servers.js";
import { toolSchemas } from "./helpers/safety-cli.js";

const majors = testMajors();
const from = majors[majors.length - 1] as PgMajor;
const to = majors[0] as PgMajor;
const databases: FreshDatabase[] = [];
afterAll(async () => {
  await Promise.all(databases.map((d) => d.drop()));
});
async function fresh(major: PgMajor, opts: { owner?: string } = {}): Promise<FreshDatabase> {
  const db = await freshDatabase(major, opts);
  databases.push(db);
  return db;
}
async function query<T = Record<string, unknown>>(
  url: string,
  sql: string,
  params: unknown[] = [],
): Promise<T[]> {
  return withClient(url, async (c) => (await c.query(sql, params)).rows as T[]);
}
async function sync(
  source: FreshDatabase,
  destination: FreshDatabase,
  extra: Partial<Parameters<typeof runSync>[0]> = {},
) {
  const report = await runSync({ sourceUrl: source.url, destinationUrl: destination.url, ...extra });
  expect(report.error).toBeUndefined();
  return report;
}

const APP = `
CREATE SCHEMA app;
CREATE TABLE app.users (id int PRIMARY KEY, name text NOT NULL);
INSERT INTO app.users SELECT g, 'user ' || g FROM generate_series(1, 100) g;`;

describe(`hazards (PostgreSQL ${from} -> ${to})`, () => {
  it("an extension installed in a swapped schema (citext in public) stays in place and keeps working", async () => {
    const source = await fresh(from);
    const destination = await fresh(to);
    const ext = "CREATE EXTENSION citext;";
    await query(
      source.url,
      `${ext} CREATE TABLE public.people (id int PRIMARY KEY, email citext UNIQUE);
       INSERT INTO public.people VALUES (1, 'Alice@Example.com'), (2, 'bob@example.com');`,
    );
    await query(destination.url, ext);
    const members = `
      SELECT pg_describe_object(d.classid, d.objid, 0) AS object,
             coalesce(t.typnamespace, p.pronamespace, o.oprnamespace)::regnamespace::text AS schema
      FROM pg_depend d
      LEFT JOIN pg_type t ON d.classid = 'pg_type'::regclass AND t.oid = d.objid
      LEFT JOIN pg_proc p ON d.classid = 'pg_proc'::regclass AND p.oid = d.objid
      LEFT JOIN pg_operator o ON d.classid = 'pg_operator'::regclass AND o.oid = d.objid
      WHERE d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e'
        AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'citext')
      ORDER BY 1`;
    const before = await query<{ object: string; schema: string | null }>(destination.url, members);
    expect(before.length).toBeGreaterThan(20);

    await sync(source, destination);
    await query(source.url, "INSERT INTO public.people VALUES (3, 'Carol@Example.com')");
    const second = await sync(source, destination, { retention: { days: 7, count: 2 } });

    // The swap moved the tables, not the extension's members: they are all still in public.
    expect(await query(destination.url, members)).toEqual(before);
    expect(before.every((m) => m.schema === null || m.schema === "public")).toBe(true);
    expect(
      await query(
        destination.url,
        "SELECT extnamespace::regnamespace::text AS s FROM pg_extension WHERE extname = 'citext'",
      ),
    ).toEqual([{ s: "public" }]);
    // The live table and the snapshot's table both use public.citext, and the new data behaves as citext.
    const snapshot = second.snapshot?.schemas.find((s) => s.original === "public")?.snapshot as string;
    const types = await query<{ schema: string; type: string }>(
      destination.url,
      `SELECT c.relnamespace::regnamespace::text AS schema, format_type(a.atttypid, NULL) AS type
       FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
       WHERE c.relname = 'people' AND a.attname = 'email' ORDER BY 1`,
    );
    expect(types.map((t) => `${t.schema} ${t.type}`).sort()).toEqual(
      [`${snapshot} citext`, "public citext"].sort(),
    );
    await expect(
      query(destination.url, "INSERT INTO public.people VALUES (9, 'ALICE@EXAMPLE.COM')"),
    ).rejects.toThrow(/people_email_key/);
    expect(await captureState(destination.url)).toEqual(await captureState(source.url));

    // Rollback and pruning leave the extension alone too.
    await rollback({ destinationUrl: destination.url });
    await withClient(destination.url, (c) => pruneSnapshots(c, { days: 0 }));
    expect(await query(destination.url, members)).toEqual(before);
    expect(await query(destination.url, "SELECT 'ABC'::citext = 'abc' AS eq")).toEqual([{ eq: true }]);
  });

  it("leaves destination objects outside the sync alone: a destination-only schema and an excluded one", async () => {
    const source = await fresh(from);
    const destination = await fresh(to);
    await query(
      source.url,
      `${APP} CREATE SCHEMA skipme; CREATE TABLE skipme.src (id int); INSERT INTO skipme.src VALUES (1);`,
    );
    await query(
      destination.url,
      `CREATE SCHEMA local;
       CREATE TABLE local.notes (id serial PRIMARY KEY, body text);
       INSERT INTO local.notes (body) VALUES ('keep'), ('me');
       CREATE VIEW local.note_bodies AS SELECT body FROM local.notes;
       CREATE FUNCTION local.shout(t text) RETURNS text LANGUAGE sql AS 'SELECT upper(t)';
       CREATE SEQUENCE local.counter START 40; SELECT nextval('local.counter');
       CREATE SCHEMA skipme; CREATE TABLE skipme.mine (v text); INSERT INTO skipme.mine VALUES ('destination only');`,
    );
    const look = async () => ({
      schemas: await query(
        destination.url,
        "SELECT nspname FROM pg_namespace WHERE nspname IN ('local', 'skipme') ORDER BY 1",
      ),
      notes: await query(destination.url, "SELECT * FROM local.notes ORDER BY id"),
      view: await query(destination.url, "SELECT * FROM local.note_bodies ORDER BY 1"),
      fn: await query(destination.url, "SELECT local.shout('x') AS v"),
      seq: await query(destination.url, "SELECT last_value FROM local.counter"),
      skipme: await query(destination.url, "SELECT * FROM skipme.mine"),
      skipSrc: await query(destination.url, "SELECT to_regclass('skipme.src') AS t"),
    });
    const before = await look();
    const options = { excludeSchemas: ["skipme"], retention: { days: 0 } };
    await sync(source, destination, options);
    await query(source.url, "INSERT INTO app.users VALUES (101, 'new')");
    await sync(source, destination, { ...options, retention: { days: 7 } });
    await rollback({ destinationUrl: destination.url });
    await withClient(destination.url, (c) => pruneSnapshots(c, { days: 0 }));
    expect(await look()).toEqual(before);
    expect(before.skipSrc).toEqual([{ t: null }]);
    expect(await query(destination.url, "SELECT count(*)::int AS n FROM app.users")).toEqual([{ n: 100 }]);
  });

  it("warns before the cut-over about destination objects bound to what it moves, and never prunes under them", async () => {
    const source = await fresh(from);
    const destination = await fresh(to);
    await query(source.url, APP);
    await sync(source, destination);
    await query(
      destination.url,
      `CREATE SCHEMA reports;
       CREATE VIEW reports.user_count AS SELECT count(*) AS n FROM app.users;
       CREATE TABLE reports.visits (user_id int REFERENCES app.users (id));
       INSERT INTO reports.visits VALUES (1);`,
    );
    const atomic = to >= 14;
    if (atomic)
      await query(
        destination.url,
        "CREATE FUNCTION reports.first_name() RETURNS text LANGUAGE sql BEGIN ATOMIC SELECT name FROM app.users WHERE id = 1; END",
      );
    await query(source.url, "INSERT INTO app.users VALUES (101, 'new')");

    const events: RunEvent[] = [];
    const report = await sync(source, destination, {
      retention: { days: 7 },
      onEvent: (e) => events.push(e),
    });
    const expected = [
      'view "reports"."user_count"',
      'constraint "visits_user_id_fkey" on "reports"."visits"',
      ...(atomic ? ['function "reports"."first_name"()'] : []),
    ];
    for (const object of expected) {
      const warning = report.warnings.find((w) =>
        w.startsWith(`${object} is not part of the sync but depends on `),
      );
      expect(warning, `${object} in ${report.warnings.join("\n")}`).toBeDefined();
      expect(warning).toContain('table "app"."users"');
      expect(warning).toContain("it will keep using the previous copy");
    }
    // Reported before the swap: the warnings come before the cut-over step's outcome.
    const cutoverDone = events.findIndex((e) => e.type === "step" && e.report.name === "cutover");
    const firstWarning = events.findIndex(
      (e) => e.type === "warning" && e.message.startsWith('view "reports"."user_count"'),
    );
    expect(firstWarning).toBeGreaterThan(-1);
    expect(firstWarning).toBeLessThan(cutoverDone);

    // As warned: the view still reads the previous copy.
    expect(await query(destination.url, "SELECT n::int FROM reports.user_count")).toEqual([{ n: 100 }]);
    expect(await query(destination.url, "SELECT count(*)::int AS n FROM app.users")).toEqual([{ n: 101 }]);

    // A later run does not warn again: the view is bound to the snapshot now, not to the live table.
    const third = await sync(source, destination);
    expect(third.warnings.filter((w) => w.includes("reports."))).toEqual([]);

    // Pruning that snapshot would cascade into the view, the foreign key and the function: it is kept.
    const snapshotId = report.snapshot?.id as string;
    const pruned = await runCli(["snapshots", "--to", destination.url, "--prune", "--keep", "1"]);
    expect(pruned.stdout).not.toContain(`pruned ${snapshotId}`);
    expect(pruned.code).toBe(1);
    expect(pruned.stdout).toContain(`kept ${snapshotId}: schema`);
    expect(pruned.stdout).toContain('view "reports"."user_count" (depends on table "_pgsync_snap_');
    expect(pruned.stdout).toContain('constraint "visits_user_id_fkey" on "reports"."visits"');
    expect((await withClient(destination.url, (c) => listSnapshots(c))).map((s) => s.snapshotId)).toContain(
      snapshotId,
    );
    expect(await query(destination.url, "SELECT n::int FROM reports.user_count")).toEqual([{ n: 100 }]);
    expect(await query(destination.url, "SELECT * FROM reports.visits")).toEqual([{ user_id: 1 }]);

    // Once they are re-pointed, it goes.
    await query(destination.url, "DROP SCHEMA reports CASCADE");
    const again = await runCli(["snapshots", "--to", destination.url, "--prune", "--keep", "1"]);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain(`pruned ${snapshotId}`);
  });

  it("PostgreSQL 14's public schema: a non-superuser database owner syncs, rolls back and prunes without renaming it", async () => {
    const major = (majors.includes(14) ? 14 : to) as PgMajor;
    const role = await createRole(major, "pgsync_public_owner", { password: "owner-Pa55" });
    const source = await fresh(from);
    const destination = await fresh(major, { owner: role.name });
    const asOwner = destination.urlAs(role.name, role.password);
    await query(
      source.url,
      `${APP} CREATE TABLE public.items (id int PRIMARY KEY); INSERT INTO public.items SELECT generate_series(1, 10);`,
    );

    const publicSchema =
      "SELECT oid::int, nspowner::regrole::text AS owner FROM pg_namespace WHERE nspname = 'public'";
    const before = await query<{ oid: number; owner: string }>(destination.url, publicSchema);
    expect(await query(asOwner, "SELECT rolsuper FROM pg_roles WHERE rolname = current_user")).toEqual([
      { rolsuper: false },
    ]);
    if (major === 14) {
      // The constraint is real: the owner cannot rename (or drop) public on 14.
      expect(before[0]?.owner).toBe("postgres");
      await expect(query(asOwner, "ALTER SCHEMA public RENAME TO public_old")).rejects.toThrow(
        /must be owner of schema public/,
      );
    }

    const first = await runSync({ sourceUrl: source.url, destinationUrl: asOwner });
    expect(first.error).toBeUndefined();
    const stateA = await captureState(destination.url);
    await query(source.url, "DELETE FROM public.items WHERE id > 5; INSERT INTO app.users VALUES (500, 'x')");
    const second = await runSync({
      sourceUrl: source.url,
      destinationUrl: asOwner,
      retention: { days: 7, count: 2 },
    });
    expect(second.error).toBeUndefined();
    expect(await captureState(destination.url)).toEqual(await captureState(source.url));
    await rollback({ destinationUrl: asOwner });
    expect(await captureState(destination.url)).toEqual(stateA);
    await withClient(asOwner, (c) => pruneSnapshots(c, { days: 0 }));
    expect(await toolSchemas(destination.url, "_pgsync_snap_")).toEqual([]);

    // public is the same schema, with the same owner, throughout; the tables in it belong to the role.
    expect(await query(destination.url, publicSchema)).toEqual(before);
    expect(
      await query(
        destination.url,
        "SELECT relowner::regrole::text AS owner FROM pg_class WHERE oid = 'public.items'::regclass",
      ),
    ).toEqual([{ owner: role.name }]);
  });

  it("references between schemas follow the live objects, and a partial sync warns about the ones it would strand", async () => {
    const source = await fresh(from);
    const destination = await fresh(to);
    await query(
      source.url,
      `CREATE SCHEMA crm; CREATE SCHEMA sales;
       CREATE TYPE crm.tier AS ENUM ('basic', 'gold');
       CREATE SEQUENCE crm.order_numbers START 1000;
       CREATE TABLE crm.customers (id int PRIMARY KEY, tier crm.tier NOT NULL);
       CREATE TABLE sales.orders (id int PRIMARY KEY DEFAULT nextval('crm.order_numbers'),
                                  customer_id int NOT NULL REFERENCES crm.customers (id), tier crm.tier);
       INSERT INTO crm.customers SELECT g, 'basic' FROM generate_series(1, 20) g;
       INSERT INTO sales.orders (customer_id, tier) SELECT 1 + g % 20, 'gold' FROM generate_series(1, 50) g;`,
    );
    await sync(source, destination);
    await query(
      source.url,
      "INSERT INTO crm.customers VALUES (21, 'gold'); INSERT INTO sales.orders (customer_id) VALUES (21);",
    );
    const second = await sync(source, destination, { retention: { days: 7, count: 3 } });

    const refs = `
      SELECT conrelid::regclass::text AS "table", confrelid::regclass::text AS refers_to
      FROM pg_constraint WHERE contype = 'f' AND connamespace <> '_pgsync'::regnamespace ORDER BY 1`;
    const snapshotOf = (name: string) => second.snapshot?.schemas.find((s) => s.original === name)?.snapshot;
    // Live points at live, the snapshot at the snapshot.
    const byTable = (a: { table: string }, b: { table: string }) => (a.table < b.table ? -1 : 1);
    expect((await query<{ table: string }>(destination.url, refs)).sort(byTable)).toEqual(
      [
        { table: "sales.orders", refers_to: "crm.customers" },
        { table: `${snapshotOf("sales")}.orders`, refers_to: `${snapshotOf("crm")}.customers` },
      ].sort(byTable),
    );
    const defaults = await query<{ d: string }>(
      destination.url,
      "SELECT pg_get_expr(adbin, adrelid) AS d FROM pg_attrdef WHERE adrelid = 'sales.orders'::regclass",
    );
    expect(defaults).toEqual([{ d: "nextval('crm.order_numbers'::regclass)" }]);
    const next = await query<{ id: number }>(
      destination.url,
      "INSERT INTO sales.orders (customer_id) VALUES (21) RETURNING id",
    );
    expect(next[0]?.id).toBeGreaterThan(1050);
    await query(destination.url, "DELETE FROM sales.orders WHERE id = $1", [next[0]?.id]);
    // The two schemas of one snapshot reference each other, and are pruned together.
    await withClient(destination.url, (c) => pruneSnapshots(c, { days: 7, count: 1 }));
    expect((await withClient(destination.url, (c) => listSnapshots(c))).map((s) => s.snapshotId)).toEqual([
      second.snapshot?.id,
    ]);

    // Syncing crm alone would leave the live sales.orders pointing at the old customers: said before the swap.
    const partial = await sync(source, destination, { schemas: ["crm"] });
    expect(partial.warnings).toContainEqual(
      expect.stringMatching(
        /^constraint "orders_customer_id_fkey" on "sales"\."orders" is not part of the sync but depends on .*table "crm"\."customers"/,
      ),
    );
  });

  it("function bodies and search_path settings name schemas, so they follow the live state", async () => {
    const source = await fresh(from);
    const destination = await fresh(to);
    await query(source.url, APP);
    await sync(source, destination);
    await query(
      destination.url,
      `CREATE SCHEMA tools;
       CREATE FUNCTION tools.count_users() RETURNS bigint LANGUAGE plpgsql AS $$BEGIN RETURN (SELECT count(*) FROM app.users); END$$;
       CREATE FUNCTION tools.count_unqualified() RETURNS bigint LANGUAGE sql SET search_path = app AS 'SELECT count(*) FROM users';
       ALTER DATABASE "${destination.name}" SET search_path = app, public;`,
    );
    const counts = async () =>
      query(
        destination.url,
        "SELECT tools.count_users()::int AS a, tools.count_unqualified()::int AS b, (SELECT count(*) FROM users)::int AS c",
      );
    expect(await counts()).toEqual([{ a: 100, b: 100, c: 100 }]);
    await query(source.url, "DELETE FROM app.users WHERE id > 60");
    const report = await sync(source, destination, { retention: { days: 7 } });
    // Late-bound by name: nothing to warn about, and they see the new data.
    expect(report.warnings.filter((w) => w.includes("tools."))).toEqual([]);
    expect(await counts()).toEqual([{ a: 60, b: 60, c: 60 }]);
    await rollback({ destinationUrl: destination.url });
    expect(await counts()).toEqual([{ a: 100, b: 100, c: 100 }]);
  });
});

describe(`readers connected to the destination during the cut-over (PostgreSQL ${to})`, () => {
  async function prepared() {
    const source = await fresh(to);
    const destination = await fresh(to);
    await query(
      source.url,
      `${APP} CREATE TABLE app.orders (id int PRIMARY KEY, user_id int REFERENCES app.users); INSERT INTO app.orders SELECT g, g FROM generate_series(1, 100) g;`,
    );
    await sync(source, destination);
    await query(source.url, "DELETE FROM app.orders WHERE id > 40; DELETE FROM app.users WHERE id > 50;");
    const reader = new pg.Client({ connectionString: destination.url, application_name: "test reader" });
    await reader.connect();
    const read = async () =>
      (
        await reader.query(
          "SELECT (SELECT count(*) FROM app.users)::int AS users, (SELECT count(*) FROM app.orders)::int AS orders",
        )
      ).rows[0];
    return { source, destination, reader, read };
  }

  it("a reader holding a lock: the swap waits up to lockSeconds, then fails cleanly", async () => {
    const { source, destination, reader, read } = await prepared();
    const before = await captureState(destination.url);
    await reader.query("BEGIN");
    await read();
    const report = await runSync({
      sourceUrl: source.url,
      destinationUrl: destination.url,
      timeouts: { lockSeconds: 2 },
    });
    await reader.query("COMMIT");
    expect(report.ok).toBe(false);
    expect(report.error).toMatchObject({ kind: "cutover" });
    expect(String(report.error?.message)).toMatch(
      /could not lock the tables it swaps within 2 seconds \(timeouts\.lockSeconds\): pid \d+ \(application "test reader".*holds a lock on app\.(orders|users).*nothing was changed/,
    );
    expect(await captureState(destination.url)).toEqual(before);
    expect(await toolSchemas(destination.url, "_pgsync_stage_")).toEqual([]);
    expect((await sync(source, destination)).ok).toBe(true);
    await reader.end();
  });

  it("a REPEATABLE READ reader keeps seeing the old state; the swap waits for it, then goes through", async () => {
    const { source, destination, reader, read } = await prepared();
    await reader.query("BEGIN ISOLATION LEVEL REPEATABLE READ");
    const old = await read();
    expect(old).toEqual({ users: 100, orders: 100 });
    const finished: boolean[] = [];
    const waiting = new Promise<string>((resolve) => {
      void runSync({
        sourceUrl: source.url,
        destinationUrl: destination.url,
        timeouts: { lockSeconds: 60 },
        onEvent: (e) => {
          if (e.type === "warning" && e.message.startsWith("the cut-over is waiting")) resolve(e.message);
        },
      }).then((r) => finished.push(r.ok));
    });
    expect(await waiting).toMatch(/test reader/);
    expect(await read()).toEqual(old);
    await new Promise((r) => setTimeout(r, 1000));
    expect(await read()).toEqual(old);
    expect(finished).toEqual([]);
    await reader.query("COMMIT");
    await expect.poll(() => finished, { timeout: 30_000 }).toEqual([true]);
    expect(await read()).toEqual({ users: 50, orders: 40 });
    await reader.end();
  });

  it("a REPEATABLE READ snapshot older than the new data: the swap waits rather than show it empty tables", async () => {
    const { source, destination, reader, read } = await prepared();
    await reader.query("BEGIN ISOLATION LEVEL REPEATABLE READ");
    await reader.query("SELECT 1"); // takes the snapshot, reads no synced table
    const finished: boolean[] = [];
    const waiting = new Promise<string>((resolve) => {
      void runSync({
        sourceUrl: source.url,
        destinationUrl: destination.url,
        timeouts: { lockSeconds: 60 },
        onEvent: (e) => {
          if (e.type === "warning" && e.message.startsWith("the cut-over is waiting")) resolve(e.message);
        },
      }).then((r) => finished.push(r.ok));
    });
    expect(await waiting).toMatch(
      /transactions that started before the new data was ready: pid \d+ \(application "test reader"/,
    );
    // Had the swap gone ahead, this snapshot would find the new tables and none of their rows.
    expect(await read()).toEqual({ users: 100, orders: 100 });
    await reader.query("COMMIT");
    await expect.poll(() => finished, { timeout: 30_000 }).toEqual([true]);
    expect(await read()).toEqual({ users: 50, orders: 40 });
    await reader.end();
  });
});

describe(`pruning never cascades into live objects (PostgreSQL ${to})`, () => {
  const cases: [string, (snap: string) => string, string, string][] = [
    [
      "a view",
      (s) => `CREATE VIEW public.v AS SELECT * FROM "${s}".users`,
      'view "public"."v"',
      "SELECT count(*) FROM public.v",
    ],
    [
      "a foreign key",
      (s) =>
        `CREATE TABLE public.refs (id int REFERENCES "${s}".users (id)); INSERT INTO public.refs VALUES (1)`,
      'constraint "refs_id_fkey" on "public"."refs"',
      "SELECT count(*) FROM public.refs",
    ],
    [
      "a function over a type",
      (s) => `CREATE FUNCTION public.mood_of(m "${s}".mood) RETURNS text LANGUAGE sql AS 'SELECT m::text'`,
      'function "public"."mood_of"(',
      "SELECT count(*) FROM pg_proc WHERE proname = 'mood_of'",
    ],
    [
      "an extension created in the snapshot schema",
      (s) => `CREATE EXTENSION citext SCHEMA "${s}"`,
      'extension "citext"',
      "SELECT count(*) FROM pg_extension WHERE extname = 'citext'",
    ],
  ];

  it.each(cases)(
    "%s outside the snapshot keeps the snapshot from being dropped",
    async (_name, create, named, probe) => {
      const source = await fresh(to);
      const destination = await fresh(to);
      await query(
        source.url,
        `${APP} CREATE TYPE app.mood AS ENUM ('ok'); CREATE TABLE app.moods (m app.mood);`,
      );
      await sync(source, destination);
      const second = await sync(source, destination);
      const snap = second.snapshot?.schemas.find((s) => s.original === "app")?.snapshot as string;
      await query(destination.url, create(snap));
      const probeBefore = await query(destination.url, probe);

      const result = await withClient(destination.url, (c) => pruneSnapshots(c, { days: 0 }));
      expect(result.pruned.map((s) => s.snapshotId)).not.toContain(second.snapshot?.id);
      const refused = result.refused.find((r) => r.snapshot.snapshotId === second.snapshot?.id);
      expect(refused?.reason).toContain(named);
      expect(refused?.reason).toContain("was not dropped, because dropping it would also drop");
      // The outside object and the snapshot are both still there.
      expect(await query(destination.url, probe)).toEqual(probeBefore);
      expect(await toolSchemas(destination.url, snap)).toEqual([snap]);
    },
  );

  it("refuses to drop a schema the tool did not create", async () => {
    const destination = await fresh(to);
    await query(destination.url, "CREATE SCHEMA precious; CREATE TABLE precious.t (id int)");
    await expect(withClient(destination.url, (c) => dropToolSchema(c, "precious"))).rejects.toThrow(
      /refusing to drop "precious": not a schema pgsync-ts created/,
    );
    expect(await query(destination.url, "SELECT to_regclass('precious.t')::text AS t")).toEqual([
      { t: "precious.t" },
    ]);
  });
});
