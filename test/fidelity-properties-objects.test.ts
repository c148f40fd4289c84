/**
 * Fidelity of sequences, aggregates, access methods, comments, domains, views and the schemas a run
 * reads (the fidelity issue, section 3): each source is built here, synced with runSync, and judged
 * by plain pg_catalog queries on both sides, never by the tool's own introspection.
 */
import { describe, expect, it } from "vitest";
import type { RunReport } from "../src/pipeline/run.js";
import {
  expectSame,
  fixturePairs,
  IN_FP,
  lines,
  pairsWhere,
  samePlusDown,
  sync,
} from "./helpers/fidelity.js";
import { sharedServer, withClient } from "./helpers/pg-servers.js";

const pair = fixturePairs();

const AGGREGATES = `
  SELECT a.aggfnoid::regprocedure::text || ' kind=' || a.aggkind::text || ' direct=' || a.aggnumdirectargs
         || ' s=' || a.aggtransfn::regproc || '/' || format_type(a.aggtranstype, NULL) || '/' || a.aggtransspace || '/' || coalesce(a.agginitval, '-')
         || ' final=' || a.aggfinalfn::regproc || ' extra=' || a.aggfinalextra || ' modify=' || a.aggfinalmodify::text
         || ' combine=' || a.aggcombinefn::regproc || ' serial=' || a.aggserialfn::regproc || ' deserial=' || a.aggdeserialfn::regproc
         || ' m=' || a.aggmtransfn::regproc || '/' || a.aggminvtransfn::regproc || '/' || format_type(a.aggmtranstype, NULL)
         || '/' || a.aggmtransspace || '/' || coalesce(a.aggminitval, '-')
         || ' mfinal=' || a.aggmfinalfn::regproc || ' mextra=' || a.aggmfinalextra || ' mmodify=' || a.aggmfinalmodify::text
         || ' sortop=' || a.aggsortop::regoperator || ' parallel=' || p.proparallel::text
         || ' comment=' || coalesce(obj_description(p.oid, 'pg_proc'), '-') AS x
  FROM pg_aggregate a JOIN pg_proc p ON p.oid = a.aggfnoid JOIN pg_namespace n ON n.oid = p.pronamespace
  WHERE ${IN_FP} ORDER BY 1`;

describe.each(samePlusDown())("%i -> %i", (from, to) => {
  it("12.7 moving-aggregate support, SERIALFUNC, DESERIALFUNC and FINALFUNC_MODIFY are kept", async () => {
    const { src, dst } = await pair(
      from,
      to,
      `CREATE SCHEMA fp;
       CREATE AGGREGATE fp.mavg(int) (SFUNC = int4_avg_accum, STYPE = int8[], FINALFUNC = int8_avg, INITCOND = '{0,0}',
         MSFUNC = int4_avg_accum, MINVFUNC = int4_avg_accum_inv, MSTYPE = int8[],
         MSSPACE = 16, MFINALFUNC = int8_avg, MINITCOND = '{0,0}', PARALLEL = SAFE);
       CREATE AGGREGATE fp.navg(numeric) (SFUNC = numeric_avg_accum, STYPE = internal, SSPACE = 128, FINALFUNC = numeric_avg,
         COMBINEFUNC = numeric_avg_combine, SERIALFUNC = numeric_avg_serialize, DESERIALFUNC = numeric_avg_deserialize,
         FINALFUNC_MODIFY = READ_WRITE, PARALLEL = SAFE);
       CREATE AGGREGATE fp.plain(int) (SFUNC = int4pl, STYPE = int, MFINALFUNC_MODIFY = SHAREABLE);
       CREATE TABLE fp.nums (n int);
       INSERT INTO fp.nums SELECT generate_series(1, 10);`,
    );
    await sync(src, dst);
    await expectSame(
      src,
      dst,
      [
        AGGREGATES,
        `SELECT string_agg(m::text, ' ' ORDER BY n) AS x
         FROM (SELECT n, fp.mavg(n) OVER (ORDER BY n ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) AS m FROM fp.nums) w`,
      ],
      [
        "m=int4_avg_accum/int4_avg_accum_inv/bigint[]/16/{0,0}",
        "serial=numeric_avg_serialize",
        "modify=w",
        "mmodify=s",
      ],
    );
  });

  it("12.8 table access methods are kept, and the access method is created", async () => {
    const { src, dst } = await pair(
      from,
      to,
      `CREATE ACCESS METHOD fp_heap TYPE TABLE HANDLER heap_tableam_handler;
       CREATE SCHEMA fp;
       CREATE TABLE fp.notes (id int, body text) USING fp_heap;
       CREATE TABLE fp.plain (id int);
       INSERT INTO fp.notes VALUES (1, 'a');
       CREATE MATERIALIZED VIEW fp.note_count USING fp_heap AS SELECT count(*) AS n FROM fp.notes;`,
    );
    await sync(src, dst);
    await expectSame(
      src,
      dst,
      [
        `SELECT c.relname || ' ' || coalesce(am.amname, '-') AS x FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         LEFT JOIN pg_am am ON am.oid = c.relam WHERE c.relkind IN ('r', 'm') AND ${IN_FP} ORDER BY 1`,
        `SELECT amname || ' ' || amtype::text || ' ' || amhandler::regproc AS x FROM pg_am WHERE amname = 'fp_heap'`,
        "SELECT t::text AS x FROM fp.notes t",
      ],
      ["notes fp_heap", "note_count fp_heap", "fp_heap t heap_tableam_handler"],
    );
  });

  it("12.14 comments on constraint indexes and on large objects are kept", async () => {
    const { src, dst } = await pair(
      from,
      to,
      `CREATE SCHEMA fp;
       CREATE TABLE fp.items (id int PRIMARY KEY, code text, CONSTRAINT items_code_key UNIQUE (code));
       COMMENT ON INDEX fp.items_pkey IS 'the key';
       COMMENT ON INDEX fp.items_code_key IS 'codes are unique';
       SELECT lo_from_bytea(424242, 'hello');
       COMMENT ON LARGE OBJECT 424242 IS 'greeting';`,
    );
    await sync(src, dst);
    await expectSame(
      src,
      dst,
      [
        `SELECT c.relname || ' ' || coalesce(obj_description(c.oid, 'pg_class'), '-') AS x FROM pg_class c
         JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = 'i' AND ${IN_FP} ORDER BY 1`,
        "SELECT oid || ' ' || coalesce(obj_description(oid, 'pg_largeobject'), '-') AS x FROM pg_largeobject_metadata ORDER BY 1",
      ],
      ["items_pkey the key", "items_code_key codes are unique", "424242 greeting"],
    );
  });

  it("12.15 shell types, transforms, unused wrappers and servers, and shell operators are carried or reported", async () => {
    const { src, dst } = await pair(
      from,
      to,
      `CREATE SCHEMA fp;
       CREATE TYPE fp.future;
       CREATE TYPE fp.word AS (w text);
       CREATE TRANSFORM FOR fp.word LANGUAGE sql (FROM SQL WITH FUNCTION gtsvector_compress(internal));
       CREATE FOREIGN DATA WRAPPER fp_unused_wrapper;
       CREATE SERVER fp_idle_server FOREIGN DATA WRAPPER fp_unused_wrapper;
       CREATE OPERATOR fp.<<< (LEFTARG = int, RIGHTARG = int, FUNCTION = int4lt, COMMUTATOR = OPERATOR(fp.>>>));
       DROP OPERATOR fp.<<< (int, int);`,
    );
    await sync(src, dst);
    // Again: what belongs to no schema (a wrapper, a server, a transform, a shell type) exists now.
    const report = await sync(src, dst);
    const identities = `
      SELECT i.type || ' ' || i.identity AS x FROM (
        SELECT 'pg_type'::regclass AS cls, t.oid FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
          WHERE ${IN_FP} AND NOT t.typisdefined
        UNION ALL SELECT 'pg_foreign_data_wrapper'::regclass, oid FROM pg_foreign_data_wrapper WHERE fdwname LIKE 'fp\\_%'
        UNION ALL SELECT 'pg_foreign_server'::regclass, oid FROM pg_foreign_server WHERE srvname LIKE 'fp\\_%'
        UNION ALL SELECT 'pg_operator'::regclass, o.oid FROM pg_operator o JOIN pg_namespace n ON n.oid = o.oprnamespace
          WHERE ${IN_FP} AND o.oprcode = 0) o
      CROSS JOIN LATERAL pg_identify_object(o.cls, o.oid, 0) i
      UNION ALL
      -- (pg_identify_object names a transform "for t on language l" up to 14, "for t language l" after.)
      SELECT 'transform for ' || format_type(t.trftype, NULL) || ' language ' || l.lanname FROM pg_transform t
      JOIN pg_language l ON l.oid = t.trflang WHERE t.oid >= 16384 ORDER BY 1`;
    const [onSource, onDestination] = await Promise.all([lines(src, identities), lines(dst, identities)]);
    expect(onSource).toHaveLength(5);
    const reported = new Set(report.notCarried.map((n) => `${n.kind} ${n.identity}`));
    for (const object of onSource)
      expect(onDestination.includes(object) || reported.has(object), object).toBe(true);
  });

  it("12.19 a domain with a NOT VALID constraint is carried, with rows that violate it", async () => {
    const { src, dst } = await pair(
      from,
      to,
      `CREATE SCHEMA fp;
       CREATE DOMAIN fp.pos AS int CONSTRAINT pos_not_zero CHECK (VALUE <> 0);
       CREATE TABLE fp.vals (v fp.pos);
       INSERT INTO fp.vals VALUES (-1), (5);
       ALTER DOMAIN fp.pos ADD CONSTRAINT pos_check CHECK (VALUE > 0) NOT VALID;`,
    );
    await sync(src, dst);
    await expectSame(
      src,
      dst,
      [
        `SELECT t.typname || ' ' || co.conname || ' valid=' || co.convalidated || ' ' || pg_get_constraintdef(co.oid) AS x
         FROM pg_constraint co JOIN pg_type t ON t.oid = co.contypid JOIN pg_namespace n ON n.oid = t.typnamespace
         WHERE ${IN_FP} ORDER BY 1`,
        "SELECT v::text AS x FROM fp.vals ORDER BY 1",
      ],
      ["pos pos_check valid=false CHECK ((VALUE > 0)) NOT VALID", "-1"],
    );
  });

  it("12.20 a zero-argument aggregate agg(*) with a comment is carried", async () => {
    const { src, dst } = await pair(
      from,
      to,
      `CREATE SCHEMA fp;
       CREATE AGGREGATE fp.counter(*) (SFUNC = int8inc, STYPE = int8, INITCOND = '0');
       COMMENT ON AGGREGATE fp.counter(*) IS 'counts rows';
       CREATE TABLE fp.t (id int);
       INSERT INTO fp.t VALUES (1), (2);`,
    );
    await sync(src, dst);
    // A second run moves the first copy into the snapshot (ALTER AGGREGATE ... SET SCHEMA).
    await sync(src, dst);
    await expectSame(
      src,
      dst,
      [AGGREGATES, "SELECT fp.counter(*)::text AS x FROM fp.t"],
      ["counter() kind=n", "comment=counts rows"],
    );
  });

  it("12.21 a domain over an array type is carried and moved at the cut-over", async () => {
    const { src, dst } = await pair(
      from,
      to,
      `CREATE SCHEMA fp;
       CREATE DOMAIN fp.int_list AS int[] CHECK (cardinality(VALUE) < 10);
       CREATE TABLE fp.lists (l fp.int_list);
       INSERT INTO fp.lists VALUES ('{1,2,3}');`,
    );
    await sync(src, dst);
    await sync(src, dst);
    const domains = `SELECT n.nspname || '.' || t.typname || ' ' || format_type(t.typbasetype, t.typtypmod) AS x FROM pg_type t
      JOIN pg_namespace n ON n.oid = t.typnamespace WHERE t.typtype = 'd' AND n.nspname NOT LIKE '\\_pgsync\\_snap%' ORDER BY 1`;
    await expectSame(src, dst, [domains, "SELECT l::text AS x FROM fp.lists"], ["fp.int_list integer[]"]);
    expect(
      await lines(dst, "SELECT nspname AS x FROM pg_namespace WHERE nspname LIKE '\\_pgsync\\_stage%'"),
    ).toEqual([]);
  });

  it("12.22 a view with no columns is carried", async () => {
    const { src, dst } = await pair(
      from,
      to,
      `CREATE SCHEMA fp;
       CREATE VIEW fp.nothing AS SELECT;
       CREATE MATERIALIZED VIEW fp.nothing_m AS SELECT FROM generate_series(1, 3);`,
    );
    await sync(src, dst);
    const views = `SELECT c.relname || ' ' || c.relkind::text || ' ' || pg_get_viewdef(c.oid) || ' columns=' || c.relnatts AS x
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('v', 'm') AND ${IN_FP} ORDER BY 1`;
    await expectSame(
      src,
      dst,
      [views, "SELECT count(*)::text AS x FROM fp.nothing_m"],
      ["nothing v", "columns=0"],
    );
  });
});

describe.each(pairsWhere((from, to) => from >= 15 && to >= 15 && from === to))("%i -> %i", (from, to) => {
  it("12.13 unlogged sequences stay unlogged", async () => {
    const { src, dst } = await pair(
      from,
      to,
      `CREATE SCHEMA fp;
       CREATE UNLOGGED SEQUENCE fp.tickets START 5;
       CREATE UNLOGGED TABLE fp.scratchpad (id int GENERATED ALWAYS AS IDENTITY, n serial, note text);
       CREATE TABLE fp.kept (id int GENERATED BY DEFAULT AS IDENTITY, n serial);
       ALTER SEQUENCE fp.kept_n_seq SET UNLOGGED;
       CREATE UNLOGGED TABLE fp.loose (id int GENERATED BY DEFAULT AS IDENTITY);
       ALTER SEQUENCE fp.loose_id_seq SET LOGGED;
       SELECT nextval('fp.tickets');`,
    );
    await sync(src, dst);
    const persistence = `SELECT c.relname || ' ' || c.relkind::text || ' ' || c.relpersistence::text AS x FROM pg_class c
      JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('r', 'S') AND ${IN_FP} ORDER BY 1`;
    await expectSame(
      src,
      dst,
      [persistence, "SELECT last_value::text AS x FROM fp.tickets"],
      ["tickets S u", "kept_n_seq S u", "loose_id_seq S p", "scratchpad_id_seq S u"],
    );
  });
});

describe.each(pairsWhere((from, to) => from >= 17 && to >= 17))("%i -> %i", (from, to) => {
  it("12.8 partitioned tables keep their access method, and a heap partition under one stays heap", async () => {
    const { src, dst } = await pair(
      from,
      to,
      `CREATE ACCESS METHOD fp_heap TYPE TABLE HANDLER heap_tableam_handler;
       CREATE SCHEMA fp;
       CREATE TABLE fp.parted (id int) PARTITION BY RANGE (id) USING fp_heap;
       CREATE TABLE fp.parted_a PARTITION OF fp.parted FOR VALUES FROM (0) TO (10);
       CREATE TABLE fp.parted_b PARTITION OF fp.parted FOR VALUES FROM (10) TO (20) USING heap;
       INSERT INTO fp.parted VALUES (1), (11);`,
    );
    await sync(src, dst);
    await expectSame(
      src,
      dst,
      [
        `SELECT c.relname || ' ' || coalesce(am.amname, '-') AS x FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         LEFT JOIN pg_am am ON am.oid = c.relam WHERE c.relkind IN ('r', 'p') AND ${IN_FP} ORDER BY 1`,
      ],
      ["parted fp_heap", "parted_a fp_heap", "parted_b heap"],
    );
  });
});

describe.each(samePlusDown().slice(0, 1))("%i -> %i", (from, to) => {
  it("12.17 schemas that merely start with _pgsync are carried; only the tool's own are left out, and reported", async () => {
    // The source is itself the destination of an earlier run: it holds the tool's metadata and snapshots.
    const {
      src: first,
      dst: src,
      fresh,
    } = await pair(from, from, `CREATE SCHEMA fp; CREATE TABLE fp.t (id int); INSERT INTO fp.t VALUES (1);`);
    await sync(first, src);
    await sync(first, src);
    await withClient(src, (c) =>
      c.query(`CREATE SCHEMA _pgsyncx; CREATE TABLE _pgsyncx.t (id int); INSERT INTO _pgsyncx.t VALUES (2);
               CREATE SCHEMA _pgsync_stage_zz; CREATE TABLE _pgsync_stage_zz.t (id int); INSERT INTO _pgsync_stage_zz.t VALUES (3);
               CREATE SCHEMA _pgsync_snap_mine; CREATE TABLE _pgsync_snap_mine.t (id int); INSERT INTO _pgsync_snap_mine.t VALUES (4);
               CREATE SCHEMA _pgsync_stage_0123abcd_1; CREATE TABLE _pgsync_stage_0123abcd_1.t (id int);`),
    );
    const destination = await fresh(to);
    const dst = sharedServer(to).superuserUrl(destination.name);
    const report: RunReport = await sync(src, dst);
    for (const schema of ["_pgsyncx", "_pgsync_stage_zz", "_pgsync_snap_mine"]) {
      expect(await lines(dst, `SELECT id::text AS x FROM ${schema}.t`)).toEqual(
        await lines(src, `SELECT id::text AS x FROM ${schema}.t`),
      );
    }
    // Everything the run left out is a schema of the tool's own, and each is reported.
    const snapshots = await lines(src, "SELECT snapshot_schema AS x FROM _pgsync.snapshots ORDER BY 1");
    expect(snapshots.length).toBeGreaterThan(0);
    const leftOut = ["_pgsync", "_pgsync_stage_0123abcd_1", ...snapshots].sort();
    const reported = report.notCarried
      .filter((n) => n.kind === "schema")
      .map((n) => n.identity)
      .sort();
    expect(reported).toEqual(leftOut);
    const onSource = await lines(
      src,
      "SELECT nspname AS x FROM pg_namespace WHERE nspname LIKE '\\_pgsync%' ORDER BY 1",
    );
    const carried = await lines(
      dst,
      "SELECT nspname AS x FROM pg_namespace WHERE nspname LIKE '\\_pgsync%' ORDER BY 1",
    );
    for (const schema of onSource)
      expect(carried.includes(schema) || leftOut.includes(schema), schema).toBe(true);
  });
});
