/**
 * The cut-over moves every object of a staging schema into the live one by name, with names read
 * before the moves: a routine or operator whose arguments are a composite type of the same schema is
 * moved before that type, while its identity still names where the type is.
 */
import { describe, expect, it } from "vitest";
import { PgsyncError } from "../src/errors.js";
import { runSync } from "../src/pipeline/run.js";
import { swapSchemas } from "../src/restore/cutover.js";
import { ensureMetaSchema } from "../src/restore/meta.js";
import { listMovable, MOVABLE_SQL } from "../src/restore/movable.js";
import { repeatedCatalogScans } from "./helpers/catalog-plans.js";
import { databasesForThisFile, newestToOldest } from "./helpers/pairs.js";
import { withClient } from "./helpers/pg-servers.js";

const { from, to } = newestToOldest();
const fresh = databasesForThisFile();

const SOURCE = `
  CREATE SCHEMA app;
  CREATE TYPE app.pair AS (a int, b int);
  CREATE FUNCTION app.pair_sum(p app.pair) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT ($1).a + ($1).b';
  CREATE FUNCTION app.pair_add(x app.pair, y app.pair) RETURNS app.pair LANGUAGE sql IMMUTABLE
    AS 'SELECT ROW(($1).a + ($2).a, ($1).b + ($2).b)::app.pair';
  CREATE OPERATOR app.## (LEFTARG = app.pair, RIGHTARG = app.pair, FUNCTION = app.pair_add);
  CREATE AGGREGATE app.pair_total(app.pair) (SFUNC = app.pair_add, STYPE = app.pair, INITCOND = '(0,0)');
  CREATE TABLE app.points (id int PRIMARY KEY, p app.pair);
  INSERT INTO app.points VALUES (1, '(1,2)'), (2, '(3,4)');`;

const CHECK = `SELECT app.pair_sum(app.pair_total(p)) AS total, (ROW(1,1)::app.pair OPERATOR(app.##) ROW(2,2)::app.pair)::text AS added,
                      pg_get_function_identity_arguments('app.pair_sum'::regproc) AS args
               FROM app.points`;

describe(`the cut-over's moves (${from} -> ${to})`, () => {
  it("moves routines, operators and aggregates over a composite type of their schema, first run and re-sync", async () => {
    const source = await fresh(from);
    const destination = await fresh(to);
    await withClient(source.url, (c) => c.query(SOURCE));
    for (const run of ["first", "re-sync"]) {
      const report = await runSync({ sourceUrl: source.url, destinationUrl: destination.url });
      expect(report.error, run).toBeUndefined();
      const rows = await withClient(destination.url, async (c) => (await c.query(CHECK)).rows);
      expect(rows).toEqual([{ total: 10, added: "(3,3)", args: "p app.pair" }]);
    }
  });

  it("names the object whose move fails, among a hundred in one message, and moves nothing", async () => {
    const db = await fresh(to);
    const tables = Array.from({ length: 150 }, (_, i) => `CREATE TABLE incoming.t${i} (id int);`).join("\n");
    const error = await withClient(db.url, async (c) => {
      // The extension's type stays in the live schema (it belongs to the extension): the incoming
      // domain of the same name cannot move in.
      await c.query(
        `CREATE EXTENSION citext; CREATE SCHEMA incoming; ${tables} CREATE DOMAIN incoming.citext AS text;`,
      );
      await ensureMetaSchema(c);
      return swapSchemas(c, {
        schemas: [{ live: "public", incoming: "incoming" }],
        runId: "r1",
        snapshotId: "20261201t000000z_00000001",
        reason: "run",
        lockSeconds: 5,
        statementSeconds: 30,
      }).catch((e: unknown) => e);
    });
    expect(error).toBeInstanceOf(PgsyncError);
    const { context } = error as PgsyncError;
    expect(context.object).toMatch(/citext/);
    expect(context.sql).toMatch(/^ALTER DOMAIN incoming\.citext SET SCHEMA "?public"?$/);
    expect(context.server?.code).toBe("42710");
    const moved = await withClient(
      db.url,
      async (c) =>
        (await c.query("SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'public'")).rows,
    );
    expect(moved).toEqual([{ n: 0 }]);
  });

  it("lists what moves (no array types) with a plan that scans no catalog once per object, on a new database's statistics", async () => {
    // A new database's catalog statistics count none of the tables a run has just staged (autovacuum
    // gets to them later). The list runs inside the swap's locks: an anti-join by pg_type.typarray,
    // which has no index, was planned as a scan of pg_type per type (9.4 s at 10,000 tables). Each
    // table owns a sequence, which moves with it: the test for that is planned here too.
    const db = await fresh(to);
    const result = await withClient(db.url, async (c) => {
      await c.query(`CREATE SCHEMA incoming;
        DO $$ BEGIN FOR i IN 1..400 LOOP EXECUTE format('CREATE TABLE incoming.t%s (id serial)', i); END LOOP; END $$;
        CREATE DOMAIN incoming.ints AS int[]; CREATE TYPE incoming.mood AS ENUM ('ok');`);
      const { rows } = await c.query<{ oid: number }>(
        "SELECT oid FROM pg_namespace WHERE nspname = 'incoming'",
      );
      const oid = rows[0]?.oid as number;
      const scans = await repeatedCatalogScans(c, MOVABLE_SQL, [oid]);
      return { movable: await listMovable(c, oid), scans };
    });
    const objects = result.movable.map((m) => m.object);
    expect(objects).toHaveLength(402);
    expect(objects).toContain('domain "incoming"."ints"');
    expect(objects).toContain('type "incoming"."mood"');
    expect(objects.filter((o) => o.startsWith("table"))).toHaveLength(400);
    expect(result.scans).toEqual([]);
  });
});
