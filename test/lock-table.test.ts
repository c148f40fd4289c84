/**
 * A run refuses up front when a side's lock table cannot hold what the run locks at once: the
 * source's snapshot and worker sessions lock every copied table, the destination's cut-over every
 * table it moves. The refusal names the numbers and the setting to raise, and nothing is written.
 * The servers here are started with a deliberately small lock table (max_locks_per_transaction =
 * 10 × max_connections = 25: 250 slots); the same servers take a run that fits.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runSync } from "../src/pipeline/run.js";
import { captureState } from "./helpers/db-state.js";
import { databasesForThisFile } from "./helpers/pairs.js";
import {
  createServer,
  type PgMajor,
  type ServerHandle,
  testMajors,
  withClient,
} from "./helpers/pg-servers.js";

const major = testMajors()[0] as PgMajor;
const database = databasesForThisFile();

/** `count` tables of fixed-width columns (no TOAST table), created 50 to a transaction. */
async function createTables(url: string, count: number): Promise<void> {
  await withClient(url, async (c) => {
    for (let from = 1; from <= count; from += 50) {
      const statements: string[] = [];
      for (let i = from; i < Math.min(from + 50, count + 1); i++)
        statements.push(
          `CREATE TABLE public.t_${i} (id integer PRIMARY KEY, at timestamptz NOT NULL); INSERT INTO public.t_${i} VALUES (1, now())`,
        );
      await c.query(statements.join("; "));
    }
  });
}

async function schemasOf(url: string): Promise<string[]> {
  return withClient(url, async (c) => {
    const r = await c.query<{ name: string }>(
      "SELECT nspname AS name FROM pg_namespace WHERE nspname NOT LIKE 'pg\\_%' AND nspname <> 'information_schema' ORDER BY 1",
    );
    return r.rows.map((row) => row.name);
  });
}

describe(`the lock table, PostgreSQL ${major}`, () => {
  let small: ServerHandle;
  beforeAll(async () => {
    small = await createServer({
      major,
      name: "small-locks",
      settings: { max_locks_per_transaction: 10, max_connections: 25 },
    });
    await small.start();
  });
  afterAll(async () => {
    await small?.stop();
  });

  it("a destination whose cut-over would not fit is refused in the plan step, naming the numbers", async () => {
    const source = await database(major);
    await createTables(source.url, 300);
    await withClient(small.url(), (c) => c.query("CREATE DATABASE refused"));
    const target = small.url("refused");
    const before = await schemasOf(target);
    const report = await runSync({ sourceUrl: source.url, destinationUrl: target, parallelism: 2 });
    expect(report.ok).toBe(false);
    expect(report.error?.kind).toBe("guard");
    expect(report.steps.find((s) => s.status === "failed")?.name).toBe("plan");
    const message = report.error?.message ?? "";
    expect(message).toContain("the destination's lock table is too small for this run");
    expect(message).toContain("its cut-over moves 300 staged and 0 live tables");
    expect(message).toContain("about 400 locks at once");
    expect(message).toContain(
      "max_locks_per_transaction = 10 × (max_connections = 25 + max_prepared_transactions = 0) gives 250",
    );
    // 400 locks over 25 sessions: 16 each, rounded up to a multiple of 16.
    expect(message).toContain("Raise max_locks_per_transaction on the destination to at least 16");
    expect(message).toContain("nothing was written");
    expect(await schemasOf(target)).toEqual(before);
  });

  it("a source whose snapshot and workers would not fit is refused before its tables are locked", async () => {
    const sourceDb = "many_tables";
    await withClient(small.url(), (c) => c.query(`CREATE DATABASE ${sourceDb}`));
    const sourceUrl = small.url(sourceDb);
    await createTables(sourceUrl, 150);
    const destination = await database(major);
    const report = await runSync({ sourceUrl, destinationUrl: destination.url, parallelism: 2 });
    expect(report.ok).toBe(false);
    expect(report.error?.kind).toBe("guard");
    expect(report.steps.find((s) => s.status === "failed")?.name).toBe("introspect");
    const message = report.error?.message ?? "";
    expect(message).toContain("the source's lock table is too small for this run");
    expect(message).toContain("its snapshot transaction locks 150 tables and its 2 worker sessions");
    // 150 by the snapshot, 150 by the other worker, 100 of catalog per session.
    expect(message).toContain("about 500 locks at once");
    expect(message).toContain("Raise max_locks_per_transaction on the source to at least 32");
    expect(await schemasOf(destination.url)).toEqual(["public"]);
  });

  it("a run that fits the same small lock table goes through", async () => {
    const source = await database(major);
    await createTables(source.url, 40);
    await withClient(small.url(), (c) => c.query("CREATE DATABASE fits"));
    const target = small.url("fits");
    const report = await runSync({ sourceUrl: source.url, destinationUrl: target, parallelism: 2 });
    expect(report.error).toBeUndefined();
    expect(report.ok).toBe(true);
    const copied = await captureState(target);
    expect(copied).toEqual(await captureState(source.url));
  });
});
