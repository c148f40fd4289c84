/**
 * `plan` tells the truth about what `run` would do: it runs the run's guards (and exits 1 when a run
 * would be refused), then a trial of the DDL on the destination, in one transaction that is rolled
 * back, and prints the statements with their live schema names. The trial catches what the refusal
 * rules do not know about (a view whose deparsed syntax the destination's version cannot parse),
 * and leaves the destination's catalog exactly as it was.
 */
import { describe, expect, it } from "vitest";
import { planRun } from "../src/pipeline/plan-only.js";
import { runSync } from "../src/pipeline/run.js";
import { runCli } from "./helpers/cli.js";
import { captureState } from "./helpers/db-state.js";
import { loadFixture } from "./helpers/fixtures.js";
import { databasesForThisFile, newestToOldest } from "./helpers/pairs.js";
import { createRole, type PgMajor, testMajors, withClient } from "./helpers/pg-servers.js";

const fresh = databasesForThisFile();
const { from, to } = newestToOldest();
const lastLine = (text: string) => text.trim().split("\n").at(-1) ?? "";
const SHOP = `CREATE SCHEMA app;
  CREATE TABLE app.customers (id int PRIMARY KEY, name text NOT NULL);
  CREATE TABLE app.orders (id int PRIMARY KEY, customer_id int REFERENCES app.customers, total numeric);
  CREATE INDEX ON app.orders (customer_id);
  INSERT INTO app.customers VALUES (1, 'a'), (2, 'b');
  INSERT INTO app.orders VALUES (1, 1, 10), (2, 2, 20);
  CREATE MATERIALIZED VIEW app.totals AS SELECT customer_id, sum(total) FROM app.orders GROUP BY 1;
  CREATE SCHEMA audit;
  CREATE TABLE audit.log (id bigint GENERATED ALWAYS AS IDENTITY, msg text);`;

/** The catalog as plain SQL sees it, oids included: a rolled-back trial leaves every row as it was. */
async function catalogSnapshot(url: string): Promise<Record<string, string[]>> {
  return withClient(url, async (c) => {
    const rows = async (sql: string) =>
      (await c.query({ text: sql, rowMode: "array" })).rows.map((r: unknown[]) => r.join(" "));
    return {
      namespaces: await rows("SELECT oid, nspname, nspowner FROM pg_catalog.pg_namespace ORDER BY 1"),
      relations: await rows(
        "SELECT oid, relnamespace, relname, relkind, relfilenode FROM pg_catalog.pg_class ORDER BY 1",
      ),
      types: await rows("SELECT oid, typnamespace, typname FROM pg_catalog.pg_type ORDER BY 1"),
      routines: await rows("SELECT oid, pronamespace, proname FROM pg_catalog.pg_proc ORDER BY 1"),
      constraints: await rows("SELECT oid, conrelid, conname FROM pg_catalog.pg_constraint ORDER BY 1"),
      extensions: await rows("SELECT oid, extname, extversion FROM pg_catalog.pg_extension ORDER BY 1"),
      comments: await rows(
        "SELECT objoid, classoid, objsubid, description FROM pg_catalog.pg_description ORDER BY 1, 2, 3",
      ),
      settings: await rows(
        "SELECT setdatabase, setrole, setconfig::text FROM pg_catalog.pg_db_role_setting ORDER BY 1, 2",
      ),
    };
  });
}

describe(`plan runs the run's guards (PostgreSQL ${from} onto ${to})`, () => {
  it("refuses the source itself as the destination: exit 1, the reason last, no trial", async () => {
    const db = await fresh(from);
    await withClient(db.url, (c) => c.query(SHOP));
    const before = await catalogSnapshot(db.url);
    const result = await runCli([
      "plan",
      "--from",
      db.url,
      "--to",
      db.url.replace("@127.0.0.1:", "@localhost:"),
    ]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain("-- guard destination REFUSED");
    expect(result.stdout).toContain("-- trial: not run: a run would be refused");
    expect(lastLine(result.stdout)).toMatch(/^-- REFUSED: a run would be refused/);
    expect(lastLine(result.stderr)).toBe(
      `pgsync-ts: plan: a run would be refused: the destination is the source database itself ("${db.name}" on the same server); refusing to write into the source`,
    );
    expect(await catalogSnapshot(db.url)).toEqual(before);
  });

  it("refuses a foreign non-empty destination without --force, and tries the DDL with it", async () => {
    const [source, destination] = await Promise.all([fresh(from), fresh(to)]);
    await withClient(source.url, (c) => c.query(SHOP));
    await withClient(destination.url, (c) => c.query("CREATE TABLE public.precious (id int)"));
    const refused = await planRun({ sourceUrl: source.url, destinationUrl: destination.url });
    expect(refused.ok).toBe(false);
    expect(refused.guards.find((g) => g.name === "destination")).toMatchObject({ ok: false });
    expect(refused.refused).toEqual([expect.stringContaining('table "public"."precious". Pass --force')]);
    expect(refused.trial).toMatchObject({ ran: false, skipped: "a run would be refused" });

    // The flags `run` takes: --force adopts, --exclude-schema leaves audit out, --with-privileges adds owners.
    const args = ["plan", "--from", source.url, "--to", destination.url, "--json"];
    const forced = await runCli([...args, "--force", "--exclude-schema", "audit", "--with-privileges"]);
    expect(forced.code).toBe(0);
    const report = JSON.parse(forced.stdout);
    expect(report.guards.map((g: { ok: boolean }) => g.ok)).toEqual([true, true, true, true]);
    expect(report.guards[0].reasons[0]).toContain("--force");
    expect(report.schemas).toEqual(["app", "public"]);
    expect(report.trial).toMatchObject({ ran: true, ok: true, failures: [] });
    expect(report.trial.scope).toContain("does not mean the data will load");
    const ddl = report.ddl.map((s: { sql: string }) => s.sql);
    expect(ddl).toContain('CREATE INDEX orders_customer_id_idx ON "app".orders USING btree (customer_id)');
    expect(ddl.some((s: string) => s.startsWith("ALTER TABLE app.orders OWNER TO"))).toBe(true);
    expect(ddl.join("\n")).not.toContain("_pgsync_stage_");
    expect(ddl.join("\n")).not.toContain("audit");
    // Only the trial wrote, and it was rolled back: the precious table is alone, and nothing else exists.
    await withClient(destination.url, async (c) => {
      const names = await c.query(
        "SELECT n.nspname || '.' || c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')",
      );
      expect(names.rows.map((r) => r.name)).toEqual(["public.precious"]);
    });
  });
});

/** A view whose deparsed text only a newer version parses, and that the refusal rules do not know. */
function newerSyntax(source: PgMajor, destination: PgMajor): { sql: string; view: string } | undefined {
  // SQL/JSON constructors: JSON_OBJECT(k : v) came with 16, JSON_SCALAR with 17.
  if (source >= 16 && destination <= 15)
    return { view: "doc", sql: "SELECT id, JSON_OBJECT('id' : id, 'name' : name) AS doc FROM public.items" };
  if (source >= 17 && destination === 16)
    return { view: "doc", sql: "SELECT id, JSON_SCALAR(id) AS doc FROM public.items" };
  return undefined;
}
const viewPairs = testMajors().flatMap((a) =>
  testMajors().flatMap((b) => (a === from && b === to && newerSyntax(a, b) ? [[a, b] as const] : [])),
);

describe.each(viewPairs)("the trial, PostgreSQL %i onto %i", (source, destination) => {
  it("finds a view the destination's version rejects, which the refusal rules let through; --no-trial skips it", async () => {
    const syntax = newerSyntax(source, destination);
    if (!syntax) throw new Error("no syntax for this pair");
    const [src, dst] = await Promise.all([fresh(source), fresh(destination)]);
    await withClient(src.url, (c) =>
      c.query(`CREATE TABLE public.items (id int PRIMARY KEY, name text);
        CREATE VIEW public.${syntax.view} AS ${syntax.sql};
        CREATE VIEW public.doc_ids AS SELECT id FROM public.${syntax.view};
        CREATE VIEW public.fine AS SELECT id FROM public.items;
        CREATE VIEW public."Odd ""view""" AS ${syntax.sql};`),
    );
    const before = await catalogSnapshot(dst.url);
    const report = await planRun({ sourceUrl: src.url, destinationUrl: dst.url });
    expect(report.refused).toEqual([]);
    expect(report.trial.ran).toBe(true);
    expect(report.ok).toBe(false);
    // Every failing statement, not only the first (each under its savepoint), named as it will be live.
    const failed = (object: string) => report.trial.failures.findIndex((f) => f.object === object);
    expect(report.trial.failures.map((f) => f.object).sort()).toEqual([
      'view "public"."Odd ""view"""',
      'view "public"."doc"',
      'view "public"."doc_ids"',
    ]);
    expect(report.trial.failures.every((f) => f.phase === "pre-data")).toBe(true);
    const doc = report.trial.failures[failed('view "public"."doc"')];
    expect(doc?.sql).toMatch(/^CREATE VIEW "public"."doc" \("id", "doc"\) AS\n/);
    expect(doc?.server?.code).toMatch(/^(42601|42883)$/);
    // The view on it fails because it is missing: the server's message, in live names.
    const dependent = report.trial.failures[failed('view "public"."doc_ids"')];
    expect(dependent?.message).toBe('relation "public.doc" does not exist');
    expect(failed('view "public"."doc"')).toBeLessThan(failed('view "public"."doc_ids"'));
    expect(await catalogSnapshot(dst.url)).toEqual(before);

    // The CLI: exit 1, the rejected view named on the last line of stderr.
    const cli = await runCli(["plan", "--from", src.url, "--to", dst.url]);
    expect(cli.code).toBe(1);
    expect(cli.stdout).toContain(`--   view "public"."${syntax.view}" (pre-data): `);
    expect(lastLine(cli.stderr)).toMatch(
      /^pgsync-ts: plan: a run would fail: the destination rejected view /,
    );
    expect(lastLine(cli.stderr)).toContain(`view "public"."${syntax.view}": `);
    // --no-trial: the guards pass and nothing is tried, so nothing is found.
    const untried = await runCli(["plan", "--from", src.url, "--to", dst.url, "--no-trial", "--json"]);
    expect(untried.code).toBe(0);
    expect(JSON.parse(untried.stdout).trial).toMatchObject({ ran: false, skipped: "--no-trial was given" });

    // The trial told the truth: the run fails, before anything is live ...
    const run = await runSync({ sourceUrl: src.url, destinationUrl: dst.url });
    expect(run.ok).toBe(false);
    expect(run.steps.find((s) => s.status === "failed")?.name).toBe("create-staging");
    // ... at the first statement the trial reported.
    expect(run.error?.message).toContain(`${report.trial.failures[0]?.object} failed on the destination`);
  });
});

describe(`the trial on every object kind (PostgreSQL ${from} onto ${to})`, () => {
  it("passes, under the destination lock, and leaves a managed destination's catalog and rows as they were", async () => {
    await Promise.all(
      [...new Set([from, to])].map((m) =>
        createRole(m, "pgsync_fixture_reader", { password: "x", login: false }),
      ),
    );
    const [source, destination] = await Promise.all([fresh(from), fresh(to)]);
    await withClient(source.url, (c) => loadFixture(c, "schema-kinds.sql"));
    expect((await runSync({ sourceUrl: source.url, destinationUrl: destination.url })).ok).toBe(true);
    // The source moves on: the trial builds every object again, plus a new table.
    await withClient(source.url, (c) => c.query("CREATE TABLE app.added (id int PRIMARY KEY, note text)"));
    const catalog = await catalogSnapshot(destination.url);
    const state = await captureState(destination.url);

    const report = await planRun({ sourceUrl: source.url, destinationUrl: destination.url });
    expect(report.trial.failures).toEqual([]);
    expect(report).toMatchObject({ ok: true, refused: [], trial: { ran: true, ok: true } });
    expect(report.trial.statements).toBeGreaterThan(100);
    expect(report.guards[0]?.reasons).toEqual(["the destination is managed by pgsync-ts"]);
    expect(report.ddl.map((s) => s.sql)).toContain(
      'CREATE TABLE "app"."added" (\n  "id" integer NOT NULL,\n  "note" text\n)',
    );
    expect(JSON.stringify(report.ddl)).not.toContain("_pgsync_stage_");
    expect(await catalogSnapshot(destination.url)).toEqual(catalog);
    expect(await captureState(destination.url)).toEqual(state);

    // While another session holds the destination lock, the trial does not run, and says why.
    await withClient(destination.url, async (c) => {
      await c.query("SELECT pg_advisory_lock(pg_catalog.hashtext('pgsync-ts:' || current_database()))");
      const busy = await planRun({ sourceUrl: source.url, destinationUrl: destination.url });
      expect(busy.ok).toBe(false);
      expect(busy.refused).toEqual([]);
      expect(busy.trial.ran).toBe(false);
      expect(busy.trial.skipped).toMatch(
        /^another pgsync-ts run is writing to this destination .*; retry when it ends/,
      );
    });
  });
});
