/**
 * Values and function bodies that name objects (the fidelity issue, points 1 and 29): reg* values
 * must name the source's objects after the cut-over, never the previous copy's in the snapshot, and
 * a function body that names a table explicitly must work while the staging is loaded and end byte
 * for byte the source's. Judged by plain pg_catalog queries and `::text` on both sides.
 */
import { describe, expect, it } from "vitest";
import { runSync } from "../src/pipeline/run.js";
import { rollback } from "../src/restore/rollback.js";
import { fixturePairs, lines, samePlusDown, sync } from "./helpers/fidelity.js";
import { withClient } from "./helpers/pg-servers.js";

const pair = fixturePairs();

// every reg* type, naming objects of the synced schema, pg_catalog's, none (0, printed '-') and NULL; arrays
// of them; a domain over regclass (and its array). Only built-in reg* types in fp.plain_refs, whose
// binary COPY would carry raw OIDs; the domain makes fp.domain_refs a text COPY.
const REG_VALUES = `
CREATE SCHEMA fp;
CREATE TABLE fp.target (id int);
CREATE TABLE fp."Odd, ""Name""" (id int);
CREATE SEQUENCE fp.counter;
CREATE TYPE fp.mood AS ENUM ('calm', 'busy');
CREATE FUNCTION fp.score(fp.mood) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT 1';
CREATE FUNCTION fp.same(int, fp.mood) RETURNS boolean LANGUAGE sql IMMUTABLE AS 'SELECT true';
CREATE OPERATOR fp.=== (LEFTARG = int, RIGHTARG = fp.mood, FUNCTION = fp.same);
CREATE TEXT SEARCH DICTIONARY fp.dict (TEMPLATE = pg_catalog.simple);
CREATE TEXT SEARCH CONFIGURATION fp.cfg (COPY = pg_catalog.simple);
CREATE COLLATION fp.coll (provider = libc, locale = 'C');
CREATE DOMAIN fp.relation AS regclass;
CREATE TABLE fp.plain_refs (id int PRIMARY KEY, rel regclass, typ regtype, fn regproc, fns regprocedure,
  op regoper, ops regoperator, cfg regconfig, dict regdictionary, coll regcollation, ns regnamespace,
  rels regclass[], typs regtype[]);
INSERT INTO fp.plain_refs VALUES
  (1, 'fp.target', 'fp.mood', 'fp.score', 'fp.same(int, fp.mood)', 'fp.===', 'fp.===(int, fp.mood)',
   'fp.cfg', 'fp.dict', 'fp.coll', 'public', ARRAY['fp.target', 'fp."Odd, ""Name"""', 'fp.counter']::regclass[],
   ARRAY['fp.mood[]', 'integer', 'fp.target']::regtype[]),
  (2, 'pg_catalog.pg_class', 'integer', 'pg_catalog.now', 'pg_catalog.abs(integer)', 'pg_catalog.^@',
   'pg_catalog.+(integer,integer)', 'pg_catalog.simple', 'pg_catalog.simple', 'pg_catalog."C"', 'pg_catalog',
   '{}', NULL),
  (3, 'fp."Odd, ""Name"""', 'fp.mood[]', 0, 0, 0, 0, 0, 0, 0, 0,
   '[0:1]={NULL,fp.target}', '{{fp.mood,integer},{fp.target,fp.mood[]}}'),
  (4, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
CREATE TABLE fp.domain_refs (id int PRIMARY KEY, rel fp.relation, rels fp.relation[]);
INSERT INTO fp.domain_refs VALUES (1, 'fp.target', ARRAY['fp.counter', 'fp."Odd, ""Name"""']::regclass[]),
  (2, 'pg_catalog.pg_type', '{}'), (3, NULL, NULL);
`;

const REFS = `
  SELECT concat_ws(' | ', id, rel, typ, fn, fns, op, ops, cfg, dict, coll, ns, rels, typs) AS x
  FROM fp.plain_refs ORDER BY id`;
const DOMAIN_REFS = "SELECT concat_ws(' | ', id, rel, rels) AS x FROM fp.domain_refs ORDER BY id";
// Each value points at the object of its own state: the one the live schema holds.
const RESOLVES = `
  SELECT concat_ws(' ', r.rel = 'fp.target'::regclass, r.typ = 'fp.mood'::regtype, r.fn = 'fp.score'::regproc,
                   r.cfg = 'fp.cfg'::regconfig, d.rel = 'fp.target'::regclass) AS x
  FROM fp.plain_refs r JOIN fp.domain_refs d USING (id) WHERE id = 1`;

async function values(url: string): Promise<string[]> {
  return [...(await lines(url, REFS)), ...(await lines(url, DOMAIN_REFS))];
}

// Functions whose bodies name fp.limits explicitly (not tracked by pg_depend), called by a CHECK, a
// domain check, a generated column, an index expression and a default.
const BODIES = `
CREATE SCHEMA fp;
CREATE TABLE fp.limits (max_value int NOT NULL);
INSERT INTO fp.limits VALUES (100);
CREATE FUNCTION fp.max_value() RETURNS int LANGUAGE sql STABLE
  AS $$ SELECT max(max_value) FROM fp.limits $$;
CREATE FUNCTION fp.within(v int) RETURNS boolean LANGUAGE plpgsql IMMUTABLE AS $body$
BEGIN
  -- The limit lives in a table: "fp.limits" is named, not depended on.
  RETURN v <= (SELECT max(l.max_value) FROM fp.limits AS l);
END
$body$;
CREATE FUNCTION fp.label(v int) RETURNS text LANGUAGE sql IMMUTABLE
  AS 'SELECT ''v'' || v || ''/'' || (SELECT max(max_value) FROM "fp"."limits")';
CREATE DOMAIN fp.bounded AS int CHECK (fp.within(VALUE));
CREATE TABLE fp.items (
  id int PRIMARY KEY,
  v int CHECK (fp.within(v)),
  b fp.bounded,
  g text GENERATED ALWAYS AS (fp.label(v)) STORED,
  d int DEFAULT fp.max_value());
CREATE INDEX items_label ON fp.items (fp.label(v));
INSERT INTO fp.items (id, v, b) SELECT n, n, n FROM generate_series(1, 50) n;
`;

const DEFINITIONS = `
  SELECT p.proname || E'\\n' || pg_get_functiondef(p.oid) || E'\\n' || p.prosrc || E'\\n' || md5(p.prosrc) AS x
  FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'fp' ORDER BY p.proname`;
const ITEMS = "SELECT concat_ws(' ', id, v, b, g, d) AS x FROM fp.items ORDER BY id";

/** The row an index scan on the expression finds: the index holds what the function computes now. */
async function byIndex(url: string, label: string): Promise<string[]> {
  return withClient(url, async (c) => {
    await c.query("BEGIN");
    await c.query("SET LOCAL enable_seqscan = off; SET LOCAL enable_bitmapscan = off");
    const plan = await c.query<{ "QUERY PLAN": string }>(
      `EXPLAIN SELECT id FROM fp.items WHERE fp.label(v) = '${label}'`,
    );
    expect(plan.rows.map((r) => r["QUERY PLAN"]).join("\n")).toContain("items_label");
    const found = await c.query<{ id: number }>(`SELECT id FROM fp.items WHERE fp.label(v) = '${label}'`);
    await c.query("ROLLBACK");
    return found.rows.map((r) => String(r.id));
  });
}

describe.each(samePlusDown())("%i -> %i", (from, to) => {
  it("12.1 reg* values name the source's objects after the cut-over, on an empty destination and on one holding a copy", async () => {
    const { src, dst } = await pair(from, to, REG_VALUES);
    const first = await sync(src, dst);
    expect(await values(dst)).toEqual(await values(src));
    expect(await lines(dst, RESOLVES)).toEqual(["t t t t t"]);
    // Never binary: a binary COPY carries a reg* value as the source's OID.
    expect(first.tables.find((t) => t.table === '"fp"."plain_refs"')?.format).toBe("text");
    expect((await values(src)).join("\n")).toContain("fp.target");

    // The destination now holds a copy, in the live schema, while the next run stages its own.
    await withClient(src, (c) =>
      c.query(
        `INSERT INTO fp.plain_refs (id, rel, typ, fns) VALUES (5, 'fp.counter', 'fp.target[]', 'fp.score(fp.mood)')`,
      ),
    );
    // With checksums, staging's values (which name the staging schema) must digest as the source's.
    const second = await runSync({ sourceUrl: src, destinationUrl: dst, parallelism: 2, verify: "checksum" });
    expect(second.error).toBeUndefined();
    expect(await values(dst)).toEqual(await values(src));
    expect(await lines(dst, RESOLVES)).toEqual(["t t t t t"]);
  });

  it("12.1 after a rollback, the restored snapshot's reg* values name the objects of that state", async () => {
    const { src, dst } = await pair(from, to, REG_VALUES);
    await sync(src, dst);
    const stateA = await values(dst);
    await withClient(src, (c) =>
      c.query(`DELETE FROM fp.plain_refs WHERE id = 2;
               UPDATE fp.domain_refs SET rel = 'fp.counter' WHERE id = 1;`),
    );
    await sync(src, dst);
    expect(await values(dst)).toEqual(await values(src));
    await rollback({ destinationUrl: dst });
    expect(await values(dst)).toEqual(stateA);
    expect(await lines(dst, RESOLVES)).toEqual(["t t t t t"]);
    expect(stateA.join("\n")).toContain("2 | pg_class | integer");
  });

  it("12.29 a function body that names fp.limits explicitly works during the load, and ends byte for byte the source's", async () => {
    const { src, dst } = await pair(from, to, BODIES);
    await sync(src, dst);
    expect(await lines(dst, DEFINITIONS)).toEqual(await lines(src, DEFINITIONS));
    expect(await lines(dst, ITEMS)).toEqual(await lines(src, ITEMS));
    expect(await lines(src, ITEMS)).toContain("7 7 7 v7/100 100");
    expect(await byIndex(dst, "v7/100")).toEqual(["7"]);

    // A destination holding a copy: the staged rows must be checked and computed against the new
    // limit, not the live copy's.
    await withClient(src, (c) =>
      c.query(`UPDATE fp.limits SET max_value = 200;
               INSERT INTO fp.items (id, v, b) SELECT n, n, n FROM generate_series(101, 150) n;
               UPDATE fp.items SET v = v;`),
    );
    await sync(src, dst);
    expect(await lines(dst, DEFINITIONS)).toEqual(await lines(src, DEFINITIONS));
    expect(await lines(dst, ITEMS)).toEqual(await lines(src, ITEMS));
    expect(await lines(src, ITEMS)).toContain("150 150 150 v150/200 200");
    expect(await byIndex(dst, "v120/200")).toEqual(["120"]);
    // The default reads the live table after the cut-over.
    const inserted = await withClient(dst, (c) =>
      c.query<{ d: number }>("INSERT INTO fp.items (id, v, b) VALUES (1000, 1, 1) RETURNING d"),
    );
    expect(inserted.rows[0]?.d).toBe(200);
  });
});
