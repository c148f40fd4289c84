/** What every benchmark shape provides (bench/shapes.ts lists them). */

export type ShapeId = "standard" | "dominant" | "many-tables" | "wide-toast" | "seed";

/** What the raw limit needs of a table: how to create it bare, and its keys and indexes. */
export interface RawTable {
  readonly name: string;
  readonly create: string;
  readonly build: readonly string[];
}

export interface ShapeDataset {
  /**
   * The generation, as scripts run one after another, each in its own transaction: ten thousand
   * tables do not fit in one transaction's share of the lock table.
   */
  readonly scripts: readonly string[];
  readonly tables: readonly RawTable[];
  /** Added by the raw limit once every table has its keys. */
  readonly foreignKeys: readonly string[];
  /** Expected row count per table (the harness checks the generation against it). */
  readonly rows: Readonly<Record<string, number>>;
}

export interface BenchShape {
  readonly id: ShapeId;
  /** One line for the report, stating the sizes that matter. */
  readonly describe: (size: number) => string;
  /** What `size` means: MB of table data, or a number of tables. */
  readonly unit: "MB" | "tables";
  /** The sizes `npm run bench` measures when none are given. */
  readonly defaultSizes: readonly number[];
  /** Whether `--scales` sets its size (the MB-sized shapes); the others have `--tables` or a fixed size. */
  readonly scalable: boolean;
  readonly dataset: (size: number) => ShapeDataset;
}

/** Row count of a table by name, failing loudly on a typo in a generator. */
export function rowsOf(counts: Readonly<Record<string, number>>, table: string): number {
  const n = counts[table];
  if (n === undefined) throw new Error(`no row count for bench table ${table}`);
  return n;
}
