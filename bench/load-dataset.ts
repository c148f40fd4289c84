/** Generates a shape's dataset in the source's `bench` database and measures what it holds. */
import { BENCH_DB, type Endpoint, resetDatabase, withDb } from "./pair.js";
import type { ShapeDataset } from "./shape-types.js";

export interface LoadedDataset {
  readonly generationSeconds: number;
  /** Heap + TOAST per table, in bytes. */
  readonly tableBytes: Record<string, number>;
  readonly dataBytes: number;
  readonly indexBytes: number;
  readonly databaseBytes: number;
}

export async function loadDataset(
  source: Endpoint,
  password: string,
  dataset: ShapeDataset,
): Promise<LoadedDataset> {
  const started = performance.now();
  await resetDatabase(source, password);
  await withDb(source, password, BENCH_DB, async (c) => {
    // One transaction per script (a many-table catalog does not fit one transaction's locks).
    for (const script of dataset.scripts) await c.query(script);
    // Hint bits and the visibility map set once, so that no tool's first read pays for them.
    // Database-wide, VACUUM takes one transaction per table.
    await c.query("VACUUM (FREEZE, ANALYZE)");
  });
  const generationSeconds = (performance.now() - started) / 1000;
  const { sizes, databaseBytes } = await withDb(source, password, BENCH_DB, async (c) => {
    const tables = await c.query<{ name: string; data: string; indexes: string }>(
      `SELECT c.relname AS name, pg_catalog.pg_table_size(c.oid) AS data, pg_catalog.pg_indexes_size(c.oid) AS indexes
         FROM pg_catalog.pg_class c WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r'`,
    );
    // Once, not per table: it reads the database's whole directory.
    const database = await c.query<{ bytes: string }>(
      "SELECT pg_catalog.pg_database_size(current_database()) AS bytes",
    );
    return { sizes: tables.rows, databaseBytes: Number(database.rows[0]?.bytes ?? 0) };
  });
  return {
    generationSeconds,
    tableBytes: Object.fromEntries(sizes.map((r) => [r.name, Number(r.data)])),
    dataBytes: sizes.reduce((n, r) => n + Number(r.data), 0),
    indexBytes: sizes.reduce((n, r) => n + Number(r.indexes), 0),
    databaseBytes,
  };
}
