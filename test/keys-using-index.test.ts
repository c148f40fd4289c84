/**
 * Keys beside indexes: a plain table's primary key and unique constraints are built as
 * CREATE UNIQUE INDEX (a task of the load beside the table's other index builds) and then attached
 * with ADD CONSTRAINT ... USING INDEX; partitioned tables and exclusion constraints keep ADD
 * CONSTRAINT. The destination must read back exactly what the source holds (the independent oracle
 * and plain pg_catalog queries), the keys must enforce what they enforce on the source, and the
 * load must run each key's build as an index task before the table's keys task.
 */
import { describe, expect, it } from "vitest";
import type { RunEvent } from "../src/pipeline/options.js";
import { runSync } from "../src/pipeline/run.js";
import { expectSame, fixturePairs, pairsWhere } from "./helpers/fidelity.js";
import { type PgMajor, withClient } from "./helpers/pg-servers.js";

const pair = fixturePairs();

const FIXTURE = `
CREATE SCHEMA fp;
CREATE TABLE fp.items (
  id bigint,
  code text NOT NULL,
  "Mixed Case" int,
  note text,
  CONSTRAINT items_pkey PRIMARY KEY (id) WITH (fillfactor = 70),
  CONSTRAINT items_code_key UNIQUE (code) INCLUDE (note) WITH (fillfactor = 80, deduplicate_items = off),
  CONSTRAINT "Odd ""key"" name" UNIQUE ("Mixed Case") DEFERRABLE INITIALLY DEFERRED,
  CONSTRAINT items_note_check CHECK (note <> '')
);
CREATE INDEX items_note_idx ON fp.items (note);
CREATE INDEX items_lower_code_idx ON fp.items (lower(code));
INSERT INTO fp.items SELECT g, 'c' || g, g % 1000 + g / 1000 * 1000, 'n' || (g % 7) FROM generate_series(1, 3000) g;
CREATE TABLE fp.pairs (a int, b int, CONSTRAINT pairs_pkey PRIMARY KEY (a, b) DEFERRABLE);
INSERT INTO fp.pairs SELECT g / 10, g % 10 FROM generate_series(0, 499) g;
CREATE TABLE fp.slots (id int PRIMARY KEY, during tsrange, EXCLUDE USING gist (during WITH &&));
INSERT INTO fp.slots SELECT g, tsrange(timestamp '2025-01-01' + g * interval '1 hour', timestamp '2025-01-01' + (g + 1) * interval '1 hour') FROM generate_series(1, 100) g;
CREATE TABLE fp.parted (id int, at date, note text, PRIMARY KEY (id, at), UNIQUE (note, at)) PARTITION BY RANGE (at);
CREATE TABLE fp.parted_2024 PARTITION OF fp.parted FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE TABLE fp.parted_2025 PARTITION OF fp.parted FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
ALTER TABLE fp.parted_2025 ADD CONSTRAINT parted_2025_id_key UNIQUE (id);
INSERT INTO fp.parted SELECT g, date '2024-06-01' + g, 'p' || g FROM generate_series(1, 300) g;
CREATE TABLE fp.referencing (id int PRIMARY KEY, item bigint REFERENCES fp.items, code text REFERENCES fp.items (code));
INSERT INTO fp.referencing SELECT g, g, 'c' || g FROM generate_series(1, 200) g;
COMMENT ON CONSTRAINT items_code_key ON fp.items IS 'codes are unique';
COMMENT ON INDEX fp.items_pkey IS 'the key''s index';
COMMENT ON CONSTRAINT pairs_pkey ON fp.pairs IS 'deferrable';
`;

/** NULLS NOT DISTINCT exists from 15 on, on both sides. */
const NULLS_NOT_DISTINCT = `
CREATE TABLE fp.nnd (a int, b int, CONSTRAINT nnd_a_b_key UNIQUE NULLS NOT DISTINCT (a, b));
INSERT INTO fp.nnd VALUES (1, NULL), (NULL, NULL), (2, 2);
`;

const INDEXES = `
SELECT c.relname || ' ' || pg_get_indexdef(i.indexrelid) || ' primary=' || i.indisprimary || ' immediate=' || i.indimmediate
       || ' reloptions=' || coalesce(c.reloptions::text, '{}') || ' comment=' || coalesce(obj_description(c.oid, 'pg_class'), '') AS x
FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = 'fp' ORDER BY 1`;
const CONSTRAINTS = `
SELECT conrelid::regclass::text || ' ' || conname || ' ' || pg_get_constraintdef(oid) || ' deferrable=' || condeferrable
       || ' deferred=' || condeferred || ' index=' || coalesce(conindid::regclass::text, '-')
       || ' comment=' || coalesce(obj_description(oid, 'pg_constraint'), '') AS x
FROM pg_constraint WHERE connamespace = 'fp'::regnamespace AND contype <> 'n' ORDER BY 1`;
const DATA = `
SELECT 'items ' || count(*) || ' ' || sum(id) || ' ' || string_agg(DISTINCT note, ',' ORDER BY note) AS x FROM fp.items
UNION ALL SELECT 'pairs ' || count(*) || ' ' || sum(a * 10 + b) FROM fp.pairs
UNION ALL SELECT 'parted ' || count(*) FROM fp.parted`;

/**
 * Syncs the fixture and checks the catalog against the source, then what the keys enforce; returns
 * the load's task events. `oneTaskTablesUpTo: 0` gives every build a task of its own.
 */
async function syncFixture(from: PgMajor, to: PgMajor, oneTaskTablesUpTo?: number) {
  const withNnd = from >= 15 && to >= 15;
  const { src, dst } = await pair(from, to, FIXTURE + (withNnd ? NULLS_NOT_DISTINCT : ""));
  const events: RunEvent[] = [];
  const report = await runSync({
    sourceUrl: src,
    destinationUrl: dst,
    parallelism: 2,
    onEvent: (e) => events.push(e),
    ...(oneTaskTablesUpTo === undefined ? {} : { oneTaskTablesUpTo }),
  });
  expect(report.error).toBeUndefined();
  expect(report.ok).toBe(true);

  await expectSame(
    src,
    dst,
    [INDEXES, CONSTRAINTS, DATA],
    [
      "items_pkey CREATE UNIQUE INDEX items_pkey ON fp.items USING btree (id) WITH (fillfactor='70') primary=true",
      "INCLUDE (note) WITH (fillfactor='80', deduplicate_items=off) primary=false immediate=true",
      'UNIQUE ("Mixed Case") DEFERRABLE INITIALLY DEFERRED deferrable=true deferred=true',
      "pairs_pkey CREATE UNIQUE INDEX pairs_pkey ON fp.pairs USING btree (a, b) primary=true immediate=false",
      "comment=the key's index",
      "comment=codes are unique",
      "EXCLUDE USING gist (during WITH &&)",
      "parted_2025_id_key UNIQUE (id)",
      ...(withNnd ? ["UNIQUE NULLS NOT DISTINCT (a, b)"] : []),
    ],
  );

  // The keys enforce what they enforce on the source.
  await withClient(dst, async (c) => {
    await expect(c.query("INSERT INTO fp.items (id, code) VALUES (1, 'new')")).rejects.toThrow(/items_pkey/);
    await expect(c.query("INSERT INTO fp.items (id, code) VALUES (9001, 'c5')")).rejects.toThrow(
      /items_code_key/,
    );
    // Deferred: a duplicate that is gone by COMMIT is accepted.
    await c.query("BEGIN");
    await c.query(`INSERT INTO fp.items (id, code, "Mixed Case") VALUES (9002, 'x1', 5)`);
    await c.query(`UPDATE fp.items SET "Mixed Case" = -5 WHERE id = 9002`);
    await c.query("COMMIT");
    await expect(
      c.query(`INSERT INTO fp.items (id, code, "Mixed Case") VALUES (9003, 'x2', 6)`),
    ).rejects.toThrow(/Odd "key" name/);
    await expect(
      c.query("INSERT INTO fp.slots VALUES (1000, tsrange('2025-01-01 01:30', '2025-01-01 01:40'))"),
    ).rejects.toThrow(/slots_during_excl/);
    if (withNnd)
      await expect(c.query("INSERT INTO fp.nnd VALUES (NULL, NULL)")).rejects.toThrow(/nnd_a_b_key/);
  });
  return events.flatMap((e) => (e.type === "task" ? [e] : []));
}

/** The load's tasks on fp.items, in the order they started and finished. */
function itemsTasks(tasks: readonly Extract<RunEvent, { type: "task" }>[]): string[] {
  return tasks
    .filter((t) => t.table === '"fp"."items"')
    .map((t) => `${t.phase} ${t.kind} ${t.object ?? ""}`.trim());
}

describe.each(pairsWhere(() => true).slice(0, 3))("%i -> %i", (from, to) => {
  it("builds each plain table's primary key and unique constraints as an index, then attaches it, with the same catalog", async () => {
    const order = itemsTasks(await syncFixture(from, to, 0));
    // The load built each plain table's keys as index tasks, all before the table's keys task.
    const keysStarted = order.indexOf("started keys");
    expect(keysStarted).toBeGreaterThan(0);
    for (const index of ["items_pkey", "items_code_key", 'Odd ""key"" name', "items_note_idx"]) {
      const done = order.findIndex((o) => o.startsWith("finished index") && o.includes(index));
      expect(done, `${index}: ${order.join("; ")}`).toBeGreaterThanOrEqual(0);
      expect(done).toBeLessThan(keysStarted);
    }
  });
});

describe.each(pairsWhere(() => true).slice(0, 1))("%i -> %i, small tables", (from, to) => {
  it("loads, builds, keys and analyzes a small table in one task, with the same catalog", async () => {
    const order = itemsTasks(await syncFixture(from, to));
    expect(order).toEqual(["started load", "finished load"]);
  });
});
