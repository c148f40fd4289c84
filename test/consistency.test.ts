import { describe, expect, it } from "vitest";
import { runSync } from "../src/pipeline/run.js";
import { captureState } from "./helpers/db-state.js";
import { databasesForThisFile, newestToOldest } from "./helpers/pairs.js";
import { withClient } from "./helpers/pg-servers.js";

const { from, to } = newestToOldest();
const fresh = databasesForThisFile();

describe(`one consistent source snapshot (${from} -> ${to})`, () => {
  it("writes that land on the source during the copy do not appear in it", async () => {
    const source = await fresh(from);
    const destination = await fresh(to);
    await withClient(source.url, (c) =>
      c.query(`
        CREATE TABLE orders (id bigserial PRIMARY KEY, total numeric NOT NULL, note text);
        INSERT INTO orders (total, note) SELECT g, repeat('x', 200) FROM generate_series(1, 20000) g;
        CREATE TABLE balances (account int PRIMARY KEY, amount numeric NOT NULL);
        INSERT INTO balances SELECT g, 100 FROM generate_series(1, 100) g;`),
    );
    const atSnapshot = await captureState(source.url);
    let writes = 0;

    const report = await runSync({
      sourceUrl: source.url,
      destinationUrl: destination.url,
      // One worker: the larger table streams first while the other waits, so the writes land both on
      // a table being copied and on one not yet read.
      parallelism: 1,
      faultHook: async (point) => {
        if (point !== "copy:mid-stream") return;
        await withClient(source.url, (c) =>
          c.query(`
            INSERT INTO orders (total, note) SELECT g, 'late' FROM generate_series(1, 500) g;
            UPDATE orders SET total = -1 WHERE id <= 100;
            DELETE FROM orders WHERE id BETWEEN 19000 AND 19999;
            UPDATE balances SET amount = amount - 50 WHERE account <= 50;
            UPDATE balances SET amount = amount + 50 WHERE account > 50;`),
        );
        writes++;
      },
    });
    expect(writes).toBe(1);
    expect(report.error).toBeUndefined();

    const [copied, sourceNow] = await Promise.all([captureState(destination.url), captureState(source.url)]);
    expect(copied.rows).toEqual(atSnapshot.rows);
    expect(sourceNow.rows).not.toEqual(atSnapshot.rows);
    // Money moved between accounts in one transaction: the copy shows it before, never half-moved.
    await withClient(destination.url, async (c) => {
      const sum = await c.query(
        "SELECT sum(amount)::int AS total, count(*) FILTER (WHERE amount <> 100)::int AS moved FROM balances",
      );
      expect(sum.rows[0]).toEqual({ total: 10000, moved: 0 });
      // Sequences are not transactional: the copy carries at least the value at the snapshot.
      const next = await c.query("SELECT nextval('orders_id_seq')::int AS n");
      expect(next.rows[0].n).toBeGreaterThan(20000);
    });
  });
});
