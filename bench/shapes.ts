/**
 * The shapes of database the benchmark copies. `standard` is the original mixed dataset
 * (bench/dataset.ts); the others each stress one thing a real database can have a lot of: one
 * dominant table whose GIN build is the critical path, ten thousand small tables (catalog work,
 * locks, per-object round trips), wide TOASTed values, and the tiny database whose run is all
 * fixed cost. Every shape is generated deterministically inside the source, in the `public` schema.
 */
import { standardDataset } from "./dataset.js";
import { dominantDataset } from "./shape-dominant.js";
import { manyTablesDataset } from "./shape-many-tables.js";
import { seedDataset } from "./shape-seed.js";
import type { BenchShape } from "./shape-types.js";
import { wideToastDataset } from "./shape-wide-toast.js";

export type { BenchShape, RawTable, ShapeDataset, ShapeId } from "./shape-types.js";

export const SHAPES: readonly BenchShape[] = [
  {
    id: "standard",
    unit: "MB",
    scalable: true,
    defaultSizes: [10, 100, 1000],
    describe: () =>
      "five tables, wide to narrow (numeric, jsonb, text, text[], bytea, uuid, timestamps), keys, a GIN, an expression and a partial index, five foreign keys",
    dataset: standardDataset,
  },
  {
    id: "dominant",
    unit: "MB",
    scalable: true,
    defaultSizes: [1000],
    describe: () =>
      "documents holds about 80% of the table data: a jsonb column of about 600 bytes a row (19 keys, two nested arrays) under a GIN index (jsonb_ops), a B-tree primary key and a two-column B-tree; two smaller tables with foreign keys",
    dataset: dominantDataset,
  },
  {
    id: "many-tables",
    unit: "tables",
    scalable: false,
    defaultSizes: [10_000],
    describe: (n) =>
      `${n.toLocaleString("en-US")} small tables of 20 rows each, a primary key on every table and a foreign key from each table to the one before it`,
    dataset: manyTablesDataset,
  },
  {
    id: "wide-toast",
    unit: "MB",
    scalable: true,
    defaultSizes: [1000],
    describe: () =>
      "large values stored in TOAST: a text of about 9 kB a row (words of a small vocabulary, which pglz compresses) and an incompressible bytea of 16 kB a row, keys and a foreign key",
    dataset: wideToastDataset,
  },
  {
    id: "seed",
    unit: "MB",
    scalable: false,
    defaultSizes: [1],
    describe: () =>
      "about 1 MB in three tables (customers, orders, order lines) with keys and foreign keys: the fixed cost of a run",
    dataset: seedDataset,
  },
];

export function shapeById(id: string): BenchShape {
  const shape = SHAPES.find((s) => s.id === id);
  if (!shape) throw new Error(`unknown shape "${id}" (one of ${SHAPES.map((s) => s.id).join(", ")})`);
  return shape;
}
