/**
 * Fidelity of table, column, index and constraint properties (the fidelity issue, section 3): each
 * source is built here, synced with runSync (same version, and newest to oldest), and judged by
 * plain pg_catalog queries on both sides, never by the tool's own introspection.
 */
import { describe, expect, it } from "vitest";
import { expectSame, fixturePairs, IN_FP, pairsWhere, samePlusDown, sync } from "./helpers/fidelity.js";
import { withClient } from "./helpers/pg-servers.js";

const pair = fixturePairs();

/** Every column of the fp relations: position among the visible ones, then what `props` selects. */
const columns = (props: string) => `
  SELECT c.relname || '.' || a.attname || ' #' || row_number() OVER (PARTITION BY c.oid ORDER BY a.attnum)
         || ' ' || ${props} AS x
  FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
  LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
  WHERE c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped AND ${IN_FP}
  ORDER BY 1`;

const ROWS = (table: string) => `SELECT t::text AS x FROM ONLY ${table} t ORDER BY 1`;

describe.each(samePlusDown())("%i -> %i", (from, to) => {
  it("12.2 a partition's own NOT NULL constraints are kept", async () => {
    const { src, dst } = await pair(
      from,
      to,
      `CREATE SCHEMA fp;
       CREATE TABLE fp.events (id int NOT NULL, note text, region text) PARTITION BY LIST (region);
       CREATE TABLE fp.events_eu PARTITION OF fp.events FOR VALUES IN ('eu');
       CREATE TABLE fp.events_us PARTITION OF fp.events FOR VALUES IN ('us');
       ALTER TABLE fp.events_eu ALTER COLUMN note SET NOT NULL;
       INSERT INTO fp.events VALUES (1, 'a', 'eu'), (2, NULL, 'us');`,
    );
    await sync(src, dst);
    await expectSame(src, dst, [columns("'not null=' || a.attnotnull")], ["events_eu.note #2 not null=true"]);
  });

  it("12.3 a partition's and a child's own defaults, and defaults dropped there, are kept", async () => {
    const { src, dst } = await pair(
      from,
      to,
      `CREATE SCHEMA fp;
       CREATE TABLE fp.orders (id int, status text DEFAULT 'new', qty int DEFAULT 1, region text) PARTITION BY LIST (region);
       CREATE TABLE fp.orders_eu PARTITION OF fp.orders FOR VALUES IN ('eu');
       CREATE TABLE fp.orders_us PARTITION OF fp.orders FOR VALUES IN ('us');
       ALTER TABLE fp.orders_eu ALTER COLUMN status SET DEFAULT 'eu-new';
       ALTER TABLE fp.orders_us ALTER COLUMN qty DROP DEFAULT;
       CREATE TABLE fp.base (id int, kind text DEFAULT 'base');
       CREATE TABLE fp.child () INHERITS (fp.base);
       ALTER TABLE fp.child ALTER COLUMN kind SET DEFAULT 'child';
       CREATE TABLE fp.child2 () INHERITS (fp.base);
       ALTER TABLE fp.child2 ALTER COLUMN kind DROP DEFAULT;`,
    );
    await sync(src, dst);
    await expectSame(
      src,
      dst,
      [columns("'default=' || coalesce(pg_get_expr(d.adbin, d.adrelid), '-')")],
      [
        "orders_eu.status #2 default='eu-new'::text",
        "orders_us.qty #3 default=-",
        "child.kind #2 default='child'",
      ],
    );
  });

  it("12.4 inheritance children and attached partitions keep the source's column order", async () => {
    const { src, dst } = await pair(
      from,
      to,
      `CREATE SCHEMA fp;
       CREATE TABLE fp.measure (ts date, sensor int, value numeric) PARTITION BY RANGE (ts);
       CREATE TABLE fp.measure_2024 (value numeric, sensor int NOT NULL, ts date DEFAULT '2024-06-01');
       ALTER TABLE fp.measure ATTACH PARTITION fp.measure_2024 FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
       CREATE TABLE fp.measure_2025 PARTITION OF fp.measure FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
       CREATE TABLE fp.animal (id int, name text);
       CREATE TABLE fp.dog (bark text, name text, id int);
       ALTER TABLE fp.dog INHERIT fp.animal;
       CREATE TABLE fp.cat (lives int) INHERITS (fp.animal);
       CREATE TABLE fp.kitten (toy text) INHERITS (fp.cat);
       ALTER TABLE fp.animal ADD COLUMN born date DEFAULT '2000-01-01' NOT NULL;
       ALTER TABLE fp.cat ADD COLUMN claws int;
       ALTER TABLE fp.kitten ALTER COLUMN born SET DEFAULT '2024-01-01';
       CREATE TABLE fp.a_star (class char, a int);
       CREATE TABLE fp.b_star (b text) INHERITS (fp.a_star);
       CREATE TABLE fp.c_star (c name) INHERITS (fp.a_star);
       CREATE TABLE fp.d_star (d float8) INHERITS (fp.b_star, fp.c_star);
       ALTER TABLE fp.a_star ADD COLUMN aa text;
       ALTER TABLE fp.c_star ADD COLUMN cc int;
       INSERT INTO fp.measure VALUES ('2024-03-01', 1, 1.5), ('2025-03-01', 2, 2.5);
       INSERT INTO fp.dog VALUES ('woof', 'rex', 1);
       INSERT INTO fp.cat VALUES (2, 'tom', 9, '2020-01-01', 10);
       INSERT INTO fp.kitten (id, name, lives, toy) VALUES (3, 'kit', 9, 'ball');`,
    );
    await sync(src, dst);
    await expectSame(
      src,
      dst,
      [
        columns(`format_type(a.atttypid, a.atttypmod) || ' not null=' || a.attnotnull || ' local=' || a.attislocal
                 || ' inherited=' || a.attinhcount || ' default=' || coalesce(pg_get_expr(d.adbin, d.adrelid), '-')`),
        `SELECT c.relname || ' ' || coalesce(pg_get_expr(c.relpartbound, c.oid), '-') AS x FROM pg_class c
         JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('r', 'p') AND ${IN_FP} ORDER BY 1`,
        `SELECT i.inhrelid::regclass || ' <- ' || i.inhparent::regclass || ' ' || i.inhseqno AS x FROM pg_inherits i
         JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE ${IN_FP} ORDER BY 1`,
        ROWS("fp.measure_2024"),
        ROWS("fp.dog"),
        ROWS("fp.cat"),
        ROWS("fp.kitten"),
      ],
      [
        "measure_2024.value #1",
        "dog.bark #1",
        "cat.lives #3",
        "cat.born #4",
        "kitten.toy #4",
        "kitten.born #5",
        "d_star.aa #6 text not null=false local=false inherited=2",
      ],
    );
  });

  it("12.5 a trigger's enabled state set on a single partition is kept", async () => {
    const { src, dst } = await pair(
      from,
      to,
      `CREATE SCHEMA fp;
       CREATE TABLE fp.log (id int, at date) PARTITION BY RANGE (at);
       CREATE TABLE fp.log_2024 PARTITION OF fp.log FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
       CREATE TABLE fp.log_2025 PARTITION OF fp.log FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
       CREATE TABLE fp.log_2026 PARTITION OF fp.log FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
       CREATE TABLE fp.log_2027 PARTITION OF fp.log FOR VALUES FROM ('2027-01-01') TO ('2028-01-01');
       CREATE FUNCTION fp.stamp() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN NEW.id := NEW.id + 1000; RETURN NEW; END$$;
       CREATE TRIGGER log_stamp BEFORE INSERT ON fp.log FOR EACH ROW EXECUTE FUNCTION fp.stamp();
       ALTER TABLE fp.log_2024 DISABLE TRIGGER log_stamp;
       ALTER TABLE fp.log_2025 ENABLE ALWAYS TRIGGER log_stamp;
       ALTER TABLE fp.log_2026 ENABLE REPLICA TRIGGER log_stamp;`,
    );
    await sync(src, dst);
    // Up to 14 a partition's clone of a trigger is marked internal (tgisinternal), from 15 on it is not.
    const triggers = `SELECT t.tgrelid::regclass || ' ' || t.tgname || ' ' || t.tgenabled::text AS x FROM pg_trigger t
      JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE (NOT t.tgisinternal OR t.tgparentid <> 0) AND ${IN_FP} ORDER BY 1`;
    await expectSame(src, dst, [triggers], ["fp.log_2024 log_stamp D", "fp.log_2026 log_stamp R"]);
    // A trigger disabled on the partition does not fire there.
    const inserted = (url: string) =>
      withClient(url, async (c) => {
        await c.query("BEGIN");
        await c.query("INSERT INTO fp.log VALUES (1, '2024-05-01'), (2, '2027-05-01')");
        const r = await c.query<{ ids: string }>(
          "SELECT string_agg(id::text, ',' ORDER BY id) AS ids FROM fp.log",
        );
        await c.query("ROLLBACK");
        return r.rows[0]?.ids;
      });
    expect(await inserted(src)).toBe("1,1002");
    expect(await inserted(dst)).toBe("1,1002");
  });

  it("12.6 REPLICA IDENTITY (FULL, NOTHING, USING INDEX) and CLUSTER ON are kept", async () => {
    const { src, dst } = await pair(
      from,
      to,
      `CREATE SCHEMA fp;
       CREATE TABLE fp.accounts (id int NOT NULL, email text NOT NULL, CONSTRAINT accounts_pkey PRIMARY KEY (id));
       CREATE UNIQUE INDEX accounts_email_key ON fp.accounts (email);
       ALTER TABLE fp.accounts REPLICA IDENTITY USING INDEX accounts_email_key;
       ALTER TABLE fp.accounts CLUSTER ON accounts_pkey;
       CREATE TABLE fp.audit (id int, what text);
       CREATE INDEX audit_what ON fp.audit (what);
       ALTER TABLE fp.audit REPLICA IDENTITY FULL;
       ALTER TABLE fp.audit CLUSTER ON audit_what;
       CREATE TABLE fp.scratch (id int);
       ALTER TABLE fp.scratch REPLICA IDENTITY NOTHING;`,
    );
    await sync(src, dst);
    await expectSame(
      src,
      dst,
      [
        `SELECT c.relname || ' ' || c.relreplident::text AS x FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE c.relkind IN ('r', 'p') AND ${IN_FP} ORDER BY 1`,
        `SELECT ic.relname || ' replident=' || i.indisreplident || ' clustered=' || i.indisclustered AS x FROM pg_index i
         JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_namespace n ON n.oid = ic.relnamespace WHERE ${IN_FP} ORDER BY 1`,
      ],
      [
        "accounts i",
        "audit f",
        "scratch n",
        "accounts_email_key replident=true",
        "accounts_pkey replident=false clustered=true",
      ],
    );
  });

  it("12.9 typed tables (OF type) stay typed tables", async () => {
    const { src, dst } = await pair(
      from,
      to,
      `CREATE SCHEMA fp;
       CREATE TYPE fp.person AS (name text, born date);
       CREATE TABLE fp.people OF fp.person (PRIMARY KEY (name), born WITH OPTIONS DEFAULT '2000-01-01');
       INSERT INTO fp.people (name) VALUES ('ann');`,
    );
    await sync(src, dst);
    await expectSame(
      src,
      dst,
      [
        `SELECT c.relname || ' of ' || coalesce(c.reloftype::regtype::text, '-') AS x FROM pg_class c
         JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('r', 'p') AND ${IN_FP} ORDER BY 1`,
        columns("'default=' || coalesce(pg_get_expr(d.adbin, d.adrelid), '-') || ' local=' || a.attislocal"),
        ROWS("fp.people"),
      ],
      ["people of fp.person", "people.born #2 default='2000-01-01'::date"],
    );
  });

  it("12.10 WITH (fillfactor) of primary key and unique constraint indexes is kept", async () => {
    const { src, dst } = await pair(
      from,
      to,
      `CREATE SCHEMA fp;
       CREATE TABLE fp.kv (k int, v text, w int,
         CONSTRAINT kv_pkey PRIMARY KEY (k) WITH (fillfactor = 70),
         CONSTRAINT kv_v_key UNIQUE (v) INCLUDE (w) WITH (fillfactor = 60) DEFERRABLE INITIALLY DEFERRED);
       INSERT INTO fp.kv VALUES (1, 'a', 1);`,
    );
    await sync(src, dst);
    const indexes = `SELECT ic.relname || ' ' || coalesce(array_to_string(ic.reloptions, ','), '-') || ' ' || pg_get_indexdef(ic.oid) AS x
      FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_namespace n ON n.oid = ic.relnamespace
      WHERE ${IN_FP} ORDER BY 1`;
    const constraints = `SELECT conname || ' ' || pg_get_constraintdef(co.oid) AS x FROM pg_constraint co
      JOIN pg_namespace n ON n.oid = co.connamespace WHERE co.contype <> 'n' AND ${IN_FP} ORDER BY 1`;
    await expectSame(src, dst, [indexes, constraints], ["kv_pkey fillfactor=70", "kv_v_key fillfactor=60"]);
  });

  it("12.11 column STORAGE, STATISTICS, attribute options and COMPRESSION are kept", async () => {
    const { src, dst } = await pair(
      from,
      to,
      `CREATE SCHEMA fp;
       CREATE TABLE fp.docs (id int, body text, meta jsonb, tag text);
       ALTER TABLE fp.docs ALTER COLUMN body SET STORAGE EXTERNAL;
       ALTER TABLE fp.docs ALTER COLUMN meta SET STORAGE MAIN;
       ALTER TABLE fp.docs ALTER COLUMN tag SET STATISTICS 500;
       ALTER TABLE fp.docs ALTER COLUMN id SET (n_distinct = -1, n_distinct_inherited = -0.5);
       ALTER TABLE fp.docs ALTER COLUMN meta SET COMPRESSION pglz;
       CREATE TABLE fp.docs_child () INHERITS (fp.docs);
       ALTER TABLE fp.docs_child ALTER COLUMN body SET STORAGE EXTENDED;
       CREATE TABLE fp.docs_part (id int, body text) PARTITION BY RANGE (id);
       CREATE TABLE fp.docs_part_1 PARTITION OF fp.docs_part FOR VALUES FROM (0) TO (10);
       ALTER TABLE fp.docs_part_1 ALTER COLUMN body SET STORAGE MAIN;
       ALTER TABLE fp.docs_part_1 ALTER COLUMN body SET STATISTICS 50;
       INSERT INTO fp.docs VALUES (1, repeat('x', 5000), '{"a": 1}', 't');`,
    );
    await sync(src, dst);
    await expectSame(
      src,
      dst,
      [
        columns(`'storage=' || a.attstorage::text || ' statistics=' || coalesce(nullif(a.attstattarget::int, -1)::text, 'default')
                 || ' options=' || coalesce(array_to_string(a.attoptions, ','), '-') || ' compression=' || a.attcompression::text`),
        ROWS("fp.docs"),
      ],
      [
        "docs.body #2 storage=e",
        "docs.tag #4 storage=x statistics=500",
        "n_distinct=-1",
        "compression=p",
        "docs_child.body #2 storage=x",
        "docs_part_1.body #2 storage=m statistics=50",
      ],
    );
  });

  it("12.12 TOAST storage parameters (toast.autovacuum_enabled) are kept", async () => {
    const { src, dst } = await pair(
      from,
      to,
      `CREATE SCHEMA fp;
       CREATE TABLE fp.blobs (id int, data text) WITH (fillfactor = 80, toast.autovacuum_enabled = false, toast.vacuum_truncate = false);`,
    );
    await sync(src, dst);
    const options = `SELECT c.relname || ' ' || coalesce(array_to_string(c.reloptions, ','), '-') || ' toast: '
        || coalesce(array_to_string(t.reloptions, ','), '-') AS x
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace LEFT JOIN pg_class t ON t.oid = c.reltoastrelid
      WHERE c.relkind IN ('r', 'p') AND ${IN_FP} ORDER BY 1`;
    await expectSame(src, dst, [options], ["toast: autovacuum_enabled=false"]);
  });

  it("12.16 a partitioned index made ON ONLY and not attached everywhere stays invalid, and partitions without one get none", async () => {
    const { src, dst } = await pair(
      from,
      to,
      `CREATE SCHEMA fp;
       CREATE TABLE fp.metrics (at date, v int) PARTITION BY RANGE (at);
       CREATE TABLE fp.metrics_a PARTITION OF fp.metrics FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
       CREATE TABLE fp.metrics_b PARTITION OF fp.metrics FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
       CREATE INDEX metrics_v_idx ON ONLY fp.metrics (v);
       CREATE INDEX metrics_a_v ON fp.metrics_a (v);
       ALTER INDEX fp.metrics_v_idx ATTACH PARTITION fp.metrics_a_v;
       CREATE INDEX metrics_at_idx ON ONLY fp.metrics (at);
       CREATE INDEX "A at" ON fp.metrics_a (at);
       CREATE INDEX "B at" ON fp.metrics_b (at);
       ALTER INDEX fp.metrics_at_idx ATTACH PARTITION fp."A at";
       ALTER INDEX fp.metrics_at_idx ATTACH PARTITION fp."B at";
       INSERT INTO fp.metrics VALUES ('2024-02-01', 1), ('2025-02-01', 2);`,
    );
    await sync(src, dst);
    const indexes = `SELECT ic.relname || ' on ' || i.indrelid::regclass || ' valid=' || i.indisvalid || ' parent='
        || coalesce((SELECT h.inhparent::regclass::text FROM pg_inherits h WHERE h.inhrelid = ic.oid), '-')
        || ' ' || pg_get_indexdef(ic.oid) AS x
      FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_namespace n ON n.oid = ic.relnamespace
      WHERE ${IN_FP} ORDER BY 1`;
    await expectSame(
      src,
      dst,
      [indexes],
      ["metrics_v_idx on fp.metrics valid=false", "A at on fp.metrics_a valid=true parent=fp.metrics_at_idx"],
    );
  });

  it("12.25 a parent's NOT VALID CHECK and a child's valid local CHECK of the same name are both kept", async () => {
    const { src, dst } = await pair(
      from,
      to,
      `CREATE SCHEMA fp;
       CREATE TABLE fp.parent_t (n int);
       CREATE TABLE fp.child_t (n int, CONSTRAINT n_positive CHECK (n > 0));
       ALTER TABLE fp.child_t INHERIT fp.parent_t;
       INSERT INTO fp.parent_t VALUES (-5);
       INSERT INTO fp.child_t VALUES (3);
       ALTER TABLE fp.parent_t ADD CONSTRAINT n_positive CHECK (n > 0) NOT VALID;`,
    );
    await sync(src, dst);
    const constraints = `SELECT c.relname || ' ' || co.conname || ' valid=' || co.convalidated || ' local=' || co.conislocal
        || ' inherited=' || co.coninhcount || ' ' || pg_get_constraintdef(co.oid) AS x
      FROM pg_constraint co JOIN pg_class c ON c.oid = co.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE co.contype = 'c' AND ${IN_FP} ORDER BY 1`;
    await expectSame(
      src,
      dst,
      [constraints, ROWS("fp.parent_t")],
      ["parent_t n_positive valid=false", "child_t n_positive valid=true local=true inherited=1"],
    );
  });
});

describe.each(pairsWhere((from, to) => from === to || to <= 15))("%i -> %i", (from, to) => {
  it("12.27 an inheritance child that declares its own generated column is carried", async () => {
    const { src, dst } = await pair(
      from,
      to,
      `CREATE SCHEMA fp;
       CREATE TABLE fp.gparent (a int, b int GENERATED ALWAYS AS (a * 2) STORED);
       CREATE TABLE fp.gchild (a int, b int GENERATED ALWAYS AS (a * 2) STORED);
       ALTER TABLE fp.gchild INHERIT fp.gparent;
       CREATE TABLE fp.gchild2 (b int, c text) INHERITS (fp.gparent);
       INSERT INTO fp.gparent (a) VALUES (1);
       INSERT INTO fp.gchild (a) VALUES (2);
       INSERT INTO fp.gchild2 (a, c) VALUES (3, 'x');`,
    );
    await sync(src, dst);
    await expectSame(
      src,
      dst,
      [
        columns(`'generated=' || a.attgenerated::text || ' ' || coalesce(pg_get_expr(d.adbin, d.adrelid), '-')
                 || ' local=' || a.attislocal || ' inherited=' || a.attinhcount`),
        ROWS("fp.gchild"),
        ROWS("fp.gchild2"),
      ],
      ["gchild.b #2 generated=s (a * 2) local=true inherited=1"],
    );
  });
});
