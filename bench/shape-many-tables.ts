/**
 * The many-tables shape: `count` small tables (t_00001 ...), 20 rows each, every one with a primary
 * key and, but for the first, a foreign key to the table before it. Almost no data: what it measures
 * is the work per object (catalog reads, DDL statements, round trips, locks, the cut-over's moves)
 * and whether any of it grows faster than the number of tables.
 *
 * The generation runs in batches, each its own transaction, so that no transaction needs more locks
 * than the server's lock table holds.
 */
import type { RawTable, ShapeDataset } from "./shape-types.js";

const ROWS_PER_TABLE = 20;
const TABLES_PER_SCRIPT = 200;

export const manyTableName = (i: number) => `t_${String(i).padStart(5, "0")}`;

function table(i: number): RawTable & { fill: string } {
  const name = manyTableName(i);
  return {
    name,
    create: `CREATE TABLE ${name} (
  id integer NOT NULL,
  parent_id integer,
  name text NOT NULL,
  amount numeric(12, 2) NOT NULL,
  created_at timestamptz NOT NULL
)`,
    fill: `INSERT INTO ${name}
SELECT g, CASE WHEN ${i} > 1 THEN 1 + (g + ${i}) % ${ROWS_PER_TABLE} END, 'row ' || g || ' of table ${i}',
       ((g * ${i}) % 100000) / 100.0, timestamptz '2024-01-01 00:00:00+00' + (g + ${i}) * interval '1 minute'
FROM generate_series(1, ${ROWS_PER_TABLE}) g`,
    build: [`ALTER TABLE ${name} ADD CONSTRAINT ${name}_pkey PRIMARY KEY (id)`],
  };
}

const foreignKey = (i: number) =>
  `ALTER TABLE ${manyTableName(i)} ADD CONSTRAINT ${manyTableName(i)}_parent_fkey FOREIGN KEY (parent_id) REFERENCES ${manyTableName(i - 1)} (id)`;

function batches<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export function manyTablesDataset(count: number): ShapeDataset {
  const tables = Array.from({ length: Math.max(2, Math.floor(count)) }, (_, i) => table(i + 1));
  const foreignKeys = tables.slice(1).map((_, i) => foreignKey(i + 2));
  const script = (statements: readonly string[]) => statements.map((s) => `${s};`).join("\n");
  return {
    scripts: [
      ...batches(tables, TABLES_PER_SCRIPT).map((b) =>
        script(b.flatMap((t) => [t.create, t.fill, ...t.build])),
      ),
      ...batches(foreignKeys, TABLES_PER_SCRIPT).map(script),
    ],
    tables: tables.map(({ name, create, build }) => ({ name, create, build })),
    foreignKeys,
    rows: Object.fromEntries(tables.map((t) => [t.name, ROWS_PER_TABLE])),
  };
}
