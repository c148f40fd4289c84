/**
 * Small tables' foreign keys added inside their loads' transactions (src/pipeline/load-inline-keys.ts):
 * a chain of small tables, a table that many reference, a self-reference, a key to a table that is
 * not small, and a composite key, on three workers. Every key must exist exactly once, as on the
 * source, and hold (plain pg_catalog queries on both sides, and inserts the keys must refuse).
 */
import { describe, expect, it } from "vitest";
import { runSync } from "../src/pipeline/run.js";
import { expectSame, fixturePairs, pairsWhere } from "./helpers/fidelity.js";
import { withClient } from "./helpers/pg-servers.js";

const pair = fixturePairs();
const CHAIN = 120;

const FIXTURE = `
CREATE SCHEMA ik;
CREATE TABLE ik.hub (id int PRIMARY KEY, code text UNIQUE);
INSERT INTO ik.hub SELECT g, 'h' || g FROM generate_series(1, 50) g;
CREATE TABLE ik.big (id int PRIMARY KEY, pad text);
INSERT INTO ik.big SELECT g, repeat('x', 200) FROM generate_series(1, 20000) g;
DO $$
BEGIN
  FOR i IN 1..${CHAIN} LOOP
    EXECUTE format('CREATE TABLE ik.c%s (id int PRIMARY KEY, a int, b int, parent int, hub int REFERENCES ik.hub, hub_code text REFERENCES ik.hub (code), big int REFERENCES ik.big, up int, UNIQUE (a, b))', i);
    EXECUTE format('ALTER TABLE ik.c%s ADD FOREIGN KEY (up) REFERENCES ik.c%s (id)', i, i);
    IF i > 1 THEN
      EXECUTE format('ALTER TABLE ik.c%s ADD FOREIGN KEY (parent) REFERENCES ik.c%s (id) ON DELETE CASCADE', i, i - 1);
      EXECUTE format('ALTER TABLE ik.c%s ADD FOREIGN KEY (a, b) REFERENCES ik.c%s (a, b) DEFERRABLE INITIALLY DEFERRED', i, i - 1);
    END IF;
    EXECUTE format('INSERT INTO ik.c%s SELECT g, g, g * 2, CASE WHEN %s > 1 THEN g END, g %% 50 + 1, ''h'' || (g %% 50 + 1), g, CASE WHEN g > 1 THEN g - 1 END FROM generate_series(1, 20) g', i, i);
  END LOOP;
END $$;
`;

const FOREIGN_KEYS = `
SELECT conrelid::regclass::text || ' ' || conname || ' ' || pg_get_constraintdef(oid) || ' validated=' || convalidated AS x
FROM pg_constraint WHERE connamespace = 'ik'::regnamespace AND contype = 'f' ORDER BY 1`;
const TRIGGERS = `
SELECT tgrelid::regclass::text || ' ' || count(*) AS x FROM pg_trigger
WHERE tgconstraint IN (SELECT oid FROM pg_constraint WHERE connamespace = 'ik'::regnamespace) GROUP BY tgrelid ORDER BY 1`;

describe.each(pairsWhere(() => true).slice(0, 2))("%i -> %i", (from, to) => {
  it("adds every small table's foreign key once, inside the loads or on its own, as the source has it", async () => {
    const { src, dst } = await pair(from, to, FIXTURE);
    const report = await runSync({ sourceUrl: src, destinationUrl: dst, parallelism: 3 });
    expect(report.error).toBeUndefined();
    expect(report.ok).toBe(true);
    // Per chain table: hub, hub code, big, self; and from the second on, parent and the composite.
    const keys = CHAIN * 4 + (CHAIN - 1) * 2;
    await expectSame(
      src,
      dst,
      [FOREIGN_KEYS, TRIGGERS],
      [`ik.c${CHAIN} c${CHAIN}_a_b_fkey FOREIGN KEY (a, b)`],
    );
    await withClient(dst, async (c) => {
      const { rows } = await c.query(
        "SELECT count(*)::int AS n, count(DISTINCT (conrelid, conname))::int AS names FROM pg_constraint WHERE connamespace = 'ik'::regnamespace AND contype = 'f'",
      );
      expect(rows[0]).toEqual({ n: keys, names: keys });
      await expect(c.query("INSERT INTO ik.c7 (id, parent) VALUES (100, 999)")).rejects.toThrow(
        /c7_parent_fkey/,
      );
      await expect(c.query("INSERT INTO ik.c9 (id, up) VALUES (100, 999)")).rejects.toThrow(/c9_up_fkey/);
      await expect(c.query("INSERT INTO ik.c3 (id, hub_code) VALUES (100, 'nope')")).rejects.toThrow(
        /c3_hub_code_fkey/,
      );
      await expect(c.query("INSERT INTO ik.c4 (id, big) VALUES (100, 999999)")).rejects.toThrow(
        /c4_big_fkey/,
      );
      // The cascade came through too: the last row of c10 goes, with the rows below it in the chain.
      await c.query("DELETE FROM ik.c10 WHERE id = 20");
      const { rows: gone } = await c.query(
        `SELECT (SELECT count(*)::int FROM ik.c11 WHERE parent = 20) AS c11, (SELECT count(*)::int FROM ik.c${CHAIN}) AS last`,
      );
      expect(gone[0]).toEqual({ c11: 0, last: 19 });
    });
  });
});
