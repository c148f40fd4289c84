/**
 * The catalog queries that read every object of a schema stay linear in the number of objects when
 * the database's catalog statistics predate those objects: a new database (its statistics are
 * template0's), or one whose objects were all just created, before autovacuum analyzes the
 * catalogs. A plan that scans a growing catalog once per object is quadratic there (at 10,000
 * tables: 57 s for the dependencies, 9.4 s for the cut-over's list; test/cutover-moves.test.ts
 * has that one). Judged by EXPLAIN ANALYZE on each major, not by time.
 */
import { describe, expect, it } from "vitest";
import { DEPENDENCIES_SQL } from "../src/introspect/queries/dependencies.js";
import { repeatedCatalogScans } from "./helpers/catalog-plans.js";
import { databasesForThisFile } from "./helpers/pairs.js";
import { testMajors, withClient } from "./helpers/pg-servers.js";

const fresh = databasesForThisFile();

/**
 * 400 tables, each with a sequence and a primary key, and a foreign key to the one before it, which
 * depends on that key's index: an index that stands for its constraint in the graph.
 */
const OBJECTS = `CREATE SCHEMA app;
DO $$ BEGIN FOR i IN 1..400 LOOP
  EXECUTE format('CREATE TABLE app.t%s (id serial PRIMARY KEY, parent int%s)', i,
                 CASE WHEN i > 1 THEN format(' REFERENCES app.t%s', i - 1) ELSE '' END);
END LOOP; END $$;`;

describe.each(testMajors())("PostgreSQL %i, a new database's statistics", (major) => {
  it("reads the dependency graph without scanning a catalog once per object", async () => {
    const db = await fresh(major);
    const { scans, rows, indexes } = await withClient(db.url, async (c) => {
      await c.query(OBJECTS);
      const scans = await repeatedCatalogScans(c, DEPENDENCIES_SQL);
      const rows = (await c.query<{ dependent: string; referenced: string }>(DEPENDENCIES_SQL)).rows;
      const indexes = (
        await c.query<{ oid: number }>(
          "SELECT i.indexrelid::int AS oid FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid WHERE t.relnamespace = 'app'::regnamespace",
        )
      ).rows.map((r) => `pg_class:${r.oid}`);
      return { scans, rows, indexes };
    });
    expect(scans).toEqual([]);
    // Each key's index stands for its constraint (the lookup the plan is about): no index is a node.
    expect(indexes).toHaveLength(400);
    const nodes = new Set(rows.flatMap((r) => [r.dependent, r.referenced]));
    expect(indexes.filter((i) => nodes.has(i))).toEqual([]);
  });
});
