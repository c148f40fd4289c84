/**
 * The seed shape: about 1 MB in three tables, the size of database pgsync-ts was first built for
 * (a development or test seed). Copying it takes milliseconds of server work, so the run's time is
 * its fixed cost: start-up, connections, catalog reads, DDL round trips, the cut-over.
 */
import type { RawTable, ShapeDataset } from "./shape-types.js";

const ROWS = { customers: 2000, orders: 6000, order_lines: 12000 } as const;

const TABLES: readonly (RawTable & { fill: string })[] = [
  {
    name: "customers",
    create: `CREATE TABLE customers (
  id integer NOT NULL,
  email text NOT NULL,
  name text NOT NULL,
  created_at timestamptz NOT NULL
)`,
    fill: `INSERT INTO customers
SELECT g, 'customer' || g || '@example.com', 'Customer ' || g, timestamptz '2024-01-01 00:00:00+00' + g * interval '1 hour'
FROM generate_series(1, ${ROWS.customers}) g`,
    build: [
      "ALTER TABLE customers ADD CONSTRAINT customers_pkey PRIMARY KEY (id)",
      "ALTER TABLE customers ADD CONSTRAINT customers_email_key UNIQUE (email)",
    ],
  },
  {
    name: "orders",
    create: `CREATE TABLE orders (
  id integer NOT NULL,
  customer_id integer NOT NULL,
  status text NOT NULL,
  total numeric(12, 2) NOT NULL,
  placed_at timestamptz NOT NULL
)`,
    fill: `INSERT INTO orders
SELECT g, 1 + g % ${ROWS.customers}, (ARRAY['new', 'paid', 'shipped', 'cancelled'])[1 + g % 4],
       (g * 37 % 100000) / 100.0, timestamptz '2024-03-01 00:00:00+00' + g * interval '7 minutes'
FROM generate_series(1, ${ROWS.orders}) g`,
    build: [
      "ALTER TABLE orders ADD CONSTRAINT orders_pkey PRIMARY KEY (id)",
      "CREATE INDEX orders_customer_idx ON orders (customer_id)",
    ],
  },
  {
    name: "order_lines",
    create: `CREATE TABLE order_lines (
  order_id integer NOT NULL,
  line integer NOT NULL,
  sku text NOT NULL,
  quantity integer NOT NULL,
  price numeric(10, 2) NOT NULL
)`,
    fill: `INSERT INTO order_lines
SELECT 1 + (g - 1) / 2, 1 + (g - 1) % 2, 'SKU-' || (g % 500), 1 + g % 4, (g % 9000) / 100.0
FROM generate_series(1, ${ROWS.order_lines}) g`,
    build: ["ALTER TABLE order_lines ADD CONSTRAINT order_lines_pkey PRIMARY KEY (order_id, line)"],
  },
];

const FOREIGN_KEYS = [
  "ALTER TABLE orders ADD CONSTRAINT orders_customer_id_fkey FOREIGN KEY (customer_id) REFERENCES customers (id)",
  "ALTER TABLE order_lines ADD CONSTRAINT order_lines_order_id_fkey FOREIGN KEY (order_id) REFERENCES orders (id)",
];

/** The size is fixed (about 1 MB); the argument is ignored. */
export function seedDataset(_sizeMb: number): ShapeDataset {
  const script = [
    ...TABLES.map((t) => t.create),
    ...TABLES.map((t) => t.fill),
    ...TABLES.flatMap((t) => t.build),
    ...FOREIGN_KEYS,
  ]
    .map((s) => `${s};`)
    .join("\n");
  return {
    scripts: [script],
    tables: TABLES.map(({ name, create, build }) => ({ name, create, build })),
    foreignKeys: FOREIGN_KEYS,
    rows: { ...ROWS },
  };
}
