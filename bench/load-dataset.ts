/** Generates the dataset in the source's `bench` database and measures what it holds. */
import { datasetSql } from "./dataset.js";
import { BENCH_DB, type Endpoint, resetDatabase, withDb } from "./pair.js";

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
  scaleMb: number,
): Promise<LoadedDataset> {
  const started = performance.now();
  await resetDatabase(source, password);
  await withDb(source, password, BENCH_DB, async (c) => {
    await c.query(datasetSql(scaleMb));
    // Hint bits and the visibility map set once, so that no tool's first read pays for them.
    await c.query("VACUUM (FREEZE, ANALYZE)");
  });
  const generationSeconds = (performance.now() - started) / 1000;
  const sizes = await withDb(source, password, BENCH_DB, (c) =>
    c.query<{ name: string; data: string; indexes: string; database: string }>(
      `SELECT c.relname AS name, pg_catalog.pg_table_size(c.oid) AS data, pg_catalog.pg_indexes_size(c.oid) AS indexes,
              pg_catalog.pg_database_size(current_database()) AS database
         FROM pg_catalog.pg_class c WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r'`,
    ),
  );
  return {
    generationSeconds,
    tableBytes: Object.fromEntries(sizes.rows.map((r) => [r.name, Number(r.data)])),
    dataBytes: sizes.rows.reduce((n, r) => n + Number(r.data), 0),
    indexBytes: sizes.rows.reduce((n, r) => n + Number(r.indexes), 0),
    databaseBytes: Number(sizes.rows[0]?.database ?? 0),
  };
}
