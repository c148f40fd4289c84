/**
 * Ordering fidelity: schemas that only a dependency sort with explicit loop breakers can rebuild.
 * Each source schema is built here, synced with runSync (same version, and newest to oldest), and
 * judged by plain pg_catalog queries on both sides (pg_get_viewdef, pg_get_constraintdef,
 * pg_get_functiondef, pg_depend) and by the independent oracle, never by the tool's own
 * introspection. Base types, wrappers and range types: test/fidelity-ordering-kinds.test.ts.
 */
import { describe, expect, it } from "vitest";
import { rollback } from "../src/restore/rollback.js";
import {
  errorCode,
  expectOracleSame,
  expectSame,
  FUNCTIONS,
  IN_APP,
  lines,
  orderingPairs,
  pair as pairOf,
  rowsOf,
  sync,
} from "./helpers/ordering.js";
import { databasesForThisFile } from "./helpers/pairs.js";
import { type PgMajor, withClient } from "./helpers/pg-servers.js";

const fresh = databasesForThisFile();
const pair = (from: PgMajor, to: PgMajor, fixture: string) => pairOf(fresh, from, to, fixture);

const VIEWS = `
  SELECT c.relname || ' ' || c.relkind::text || ' populated=' || c.relispopulated || ' ' || pg_get_viewdef(c.oid) AS x
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE c.relkind IN ('v', 'm') AND ${IN_APP} ORDER BY 1`;

const VIEW_COLUMNS = `
  SELECT c.relname || '.' || a.attname || ' #' || a.attnum || ' ' || format_type(a.atttypid, a.atttypmod)
         || ' collate ' || coalesce((SELECT collname FROM pg_collation WHERE oid = a.attcollation), '-') AS x
  FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE c.relkind IN ('v', 'm') AND a.attnum > 0 AND ${IN_APP} ORDER BY 1`;

/** Which views rely on which constraint (a view that groups by a key records it in pg_depend). */
const VIEW_KEY_DEPENDENCIES = `
  SELECT v.relname || ' -> ' || co.conname AS x
  FROM pg_depend d JOIN pg_rewrite r ON r.oid = d.objid JOIN pg_class v ON v.oid = r.ev_class
  JOIN pg_namespace n ON n.oid = v.relnamespace JOIN pg_constraint co ON co.oid = d.refobjid
  WHERE d.classid = 'pg_rewrite'::regclass AND d.refclassid = 'pg_constraint'::regclass AND ${IN_APP}
  ORDER BY 1`;

const CONSTRAINTS = `
  SELECT c.relname || ' ' || CASE WHEN co.conparentid = 0 THEN co.conname ELSE '(inherited)' END || ' '
         || co.contype::text || ' ' || pg_get_constraintdef(co.oid)
         || coalesce(' -> ' || (SELECT relname FROM pg_class WHERE oid = co.confrelid), '') AS x
  FROM pg_constraint co JOIN pg_class c ON c.oid = co.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE co.contype <> 'n' AND ${IN_APP} ORDER BY 1`;

const RELATIONS = `
  SELECT c.relname || ' ' || c.relkind::text || ' partition=' || c.relispartition
         || coalesce(' of ' || (SELECT p.relname FROM pg_inherits i JOIN pg_class p ON p.oid = i.inhparent WHERE i.inhrelid = c.oid), '')
         || coalesce(' ' || pg_get_expr(c.relpartbound, c.oid), '')
         || coalesce(' by ' || CASE WHEN c.relkind = 'p' THEN pg_get_partkeydef(c.oid) END, '') AS x
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE c.relkind IN ('r', 'p') AND ${IN_APP} ORDER BY 1`;

const GROUP_BY_KEY = `
CREATE SCHEMA app;
CREATE TABLE app.t (id int PRIMARY KEY, name text, score int);
INSERT INTO app.t SELECT g, 'n' || g, g % 7 FROM generate_series(1, 50) g;
-- Legal only because id is the primary key: name is functionally dependent on it.
CREATE VIEW app.v AS SELECT id, name, sum(score) AS total FROM app.t GROUP BY id;
COMMENT ON VIEW app.v IS 'grouped by the key';
-- A view and a populated materialized view over it.
CREATE VIEW app.v_top AS SELECT id, name FROM app.v WHERE total > 3;
CREATE MATERIALIZED VIEW app.m_over AS SELECT id, total FROM app.v;
-- A materialized view that relies on the key itself.
CREATE MATERIALIZED VIEW app.m_grouped AS SELECT id, name, count(*) AS n FROM app.t GROUP BY id;
CREATE INDEX m_grouped_name ON app.m_grouped (name);
-- The key of a partitioned table (built after the load), and a column with its own collation.
CREATE TABLE app.p (id int PRIMARY KEY, label text COLLATE "C") PARTITION BY RANGE (id);
CREATE TABLE app.p1 PARTITION OF app.p FOR VALUES FROM (0) TO (100);
INSERT INTO app.p SELECT g, 'l' || g FROM generate_series(1, 20) g;
CREATE VIEW app.pv AS SELECT id, label FROM app.p GROUP BY id;
`;

const ROW_TYPE_CHECK = `
CREATE SCHEMA app;
CREATE TABLE app.accounts (id int PRIMARY KEY, balance numeric NOT NULL, credit_limit numeric NOT NULL);
CREATE FUNCTION app.within_limit(a app.accounts) RETURNS boolean LANGUAGE sql IMMUTABLE
  AS $$ SELECT $1.balance <= $1.credit_limit $$;
ALTER TABLE app.accounts ADD CONSTRAINT within_limit CHECK (app.within_limit(accounts));
INSERT INTO app.accounts SELECT g, g, g * 2 FROM generate_series(1, 30) g;
-- With an SQL-standard body the function also depends on the columns it reads.
CREATE TABLE app.orders (id int PRIMARY KEY, qty int NOT NULL, max_qty int NOT NULL);
CREATE FUNCTION app.order_ok(o app.orders) RETURNS boolean LANGUAGE sql IMMUTABLE RETURN o.qty <= o.max_qty;
ALTER TABLE app.orders ADD CONSTRAINT order_ok CHECK (app.order_ok(orders));
INSERT INTO app.orders SELECT g, g, g + 1 FROM generate_series(1, 30) g;
`;

// The partitions' names sort before their parent's, so that an order by name alone creates them first.
const SELF_REFERENCING_PARTITIONS = `
CREATE SCHEMA app;
CREATE TABLE app.zz_tree (id int PRIMARY KEY, parent int REFERENCES app.zz_tree (id), label text)
  PARTITION BY RANGE (id);
CREATE TABLE app.tree_low PARTITION OF app.zz_tree FOR VALUES FROM (0) TO (100);
CREATE TABLE app.tree_high PARTITION OF app.zz_tree FOR VALUES FROM (100) TO (200) PARTITION BY RANGE (id);
CREATE TABLE app.tree_high_a PARTITION OF app.tree_high FOR VALUES FROM (100) TO (150);
CREATE TABLE app.tree_high_b PARTITION OF app.tree_high FOR VALUES FROM (150) TO (200);
INSERT INTO app.zz_tree SELECT g, CASE WHEN g > 1 THEN g / 2 END, 'n' || g FROM generate_series(1, 199) g;
`;

describe.each(orderingPairs())("ordering %i -> %i", (from, to) => {
  it("12.18 a view that groups by a primary key is created as a placeholder and replaced once the key exists", async () => {
    const { src, dst, ref } = await pair(from, to, GROUP_BY_KEY);
    await sync(src, dst);
    await expectOracleSame(ref, dst);
    await expectSame(ref, dst, VIEWS, VIEW_COLUMNS, VIEW_KEY_DEPENDENCIES);
    // The judge is not vacuous: every view that groups by a key depends on it on the source.
    expect(await lines(src, VIEW_KEY_DEPENDENCIES)).toEqual([
      "m_grouped -> t_pkey",
      "pv -> p_pkey",
      "v -> t_pkey",
    ]);
    for (const relation of ["app.v", "app.v_top", "app.m_over", "app.m_grouped", "app.pv"]) {
      const query = `SELECT * FROM ${relation}`;
      expect(await rowsOf(dst, query)).toEqual(await rowsOf(src, query));
    }
    expect((await rowsOf(dst, "SELECT * FROM app.m_over")).length).toBe(50);
    const comment = "SELECT obj_description('app.v'::regclass, 'pg_class') AS x";
    expect(await lines(dst, comment)).toEqual(["grouped by the key"]);
    expect(
      await lines(dst, "SELECT indexdef AS x FROM pg_indexes WHERE schemaname = 'app' ORDER BY 1"),
    ).toEqual(await lines(src, "SELECT indexdef AS x FROM pg_indexes WHERE schemaname = 'app' ORDER BY 1"));

    // A second run moves the views out to a snapshot and the new ones in; a rollback brings the first back.
    await withClient(src, (c) => c.query("INSERT INTO app.t VALUES (51, 'n51', 6)"));
    await sync(src, dst);
    await expectSame(ref, dst, VIEWS, VIEW_COLUMNS, VIEW_KEY_DEPENDENCIES);
    expect((await rowsOf(dst, "SELECT * FROM app.v")).length).toBe(51);
    const snapshotViews = `
      SELECT c.relname || ' ' || (SELECT count(*) FROM pg_depend d JOIN pg_rewrite r ON r.oid = d.objid
                                  WHERE r.ev_class = c.oid AND d.refclassid = 'pg_constraint'::regclass) AS x
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relname IN ('v', 'pv', 'm_grouped') AND n.nspname LIKE '\\_pgsync\\_snap\\_%' ORDER BY 1`;
    expect(await lines(dst, snapshotViews)).toEqual(["m_grouped 1", "pv 1", "v 1"]);
    await rollback({ destinationUrl: dst });
    expect((await rowsOf(dst, "SELECT * FROM app.v")).length).toBe(50);
    expect(await lines(dst, VIEW_KEY_DEPENDENCIES)).toEqual(await lines(src, VIEW_KEY_DEPENDENCIES));
  });

  it("12.23 a function that takes a table's row type, used in that table's CHECK, is created after the table", async () => {
    const { src, dst, ref } = await pair(from, to, ROW_TYPE_CHECK);
    await sync(src, dst);
    await expectOracleSame(ref, dst);
    await expectSame(ref, dst, CONSTRAINTS, FUNCTIONS);
    expect(await lines(src, CONSTRAINTS)).toContain(
      "accounts within_limit c CHECK (app.within_limit(accounts.*))",
    );
    for (const table of ["app.accounts", "app.orders"]) {
      const query = `SELECT * FROM ${table}`;
      expect(await rowsOf(dst, query)).toEqual(await rowsOf(src, query));
    }
    // The constraints hold on the destination: 23514 is check_violation.
    expect(await errorCode(dst, "INSERT INTO app.accounts VALUES (100, 10, 1)")).toBe("23514");
    expect(await errorCode(dst, "INSERT INTO app.orders VALUES (100, 10, 1)")).toBe("23514");
    expect(await errorCode(dst, "INSERT INTO app.orders VALUES (100, 1, 10)")).toBeUndefined();
  });

  it("12.24 a partitioned table with a self-referencing foreign key is created before its partitions", async () => {
    const { src, dst, ref } = await pair(from, to, SELF_REFERENCING_PARTITIONS);
    await sync(src, dst);
    // 18 names the clones a partitioned foreign key makes differently from 14-17 (fkey_1, fkey_2_1
    // against fkey1, fkey3): across that line a native reference cannot know the names, which
    // come from the source; they are compared with the source's instead.
    const namingDiffers = from >= 18 !== to >= 18;
    await expectOracleSame(ref, dst, namingDiffers ? /\tapp\.zz_tree zz_tree_parent_fkey_?\d/ : undefined);
    await expectSame(ref, dst, RELATIONS, CONSTRAINTS);
    const NAMES = `SELECT conrelid::regclass || ' ' || conname || ' -> ' || confrelid::regclass AS x
      FROM pg_constraint co JOIN pg_namespace n ON n.oid = co.connamespace WHERE contype = 'f' AND ${IN_APP} ORDER BY 1`;
    expect(await lines(dst, NAMES)).toEqual(await lines(src, NAMES));
    expect(await lines(src, RELATIONS)).toHaveLength(5);
    for (const table of ["app.zz_tree", "app.tree_low", "app.tree_high_a", "app.tree_high_b"]) {
      const query = `SELECT * FROM ONLY ${table}`;
      expect(await rowsOf(dst, query)).toEqual(await rowsOf(src, query));
    }
    // 23503 is foreign_key_violation: the self-reference holds in every partition.
    expect(await errorCode(dst, "INSERT INTO app.zz_tree VALUES (199, 0, 'x')")).toBe("23505");
    expect(await errorCode(dst, "UPDATE app.tree_high_b SET parent = 300 WHERE id = 180")).toBe("23503");
    expect(await errorCode(dst, "DELETE FROM app.tree_low WHERE id = 60")).toBe("23503");
  });
});
