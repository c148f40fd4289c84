/**
 * A deterministic benchmark dataset generated inside Postgres: wide and narrow tables with numeric,
 * jsonb, text, bytea, uuid and timestamp columns, several indexes including a GIN, and foreign keys.
 * `scaleMb` is the approximate size of the table data (heap and TOAST, without indexes) in MB.
 *
 * Every value is a function of the row number, so two generations at one scale hold the same rows.
 * Keys, indexes and foreign keys are added after the rows (as a restore would), which also makes the
 * generation itself faster.
 */
import type { ShapeDataset } from "./shape-types.js";

export interface BenchTable {
  readonly name: string;
  /** CREATE TABLE without keys, indexes or foreign keys. */
  readonly create: string;
  /** Inserts this table's rows; `n(table)` is a table's row count at the chosen scale. */
  readonly fill: (n: (table: string) => number) => string;
  /** Primary key, unique constraints and indexes of this table (buildable as soon as its rows are in). */
  readonly build: readonly string[];
  /** Share of the table data and measured bytes per row on PostgreSQL 15 (heap + TOAST / rows). */
  readonly share: number;
  readonly bytesPerRow: number;
}

export const BENCH_TABLES: readonly BenchTable[] = [
  {
    name: "accounts",
    share: 0.12,
    bytesPerRow: 180,
    create: `CREATE TABLE accounts (
  id bigint NOT NULL,
  uid uuid NOT NULL,
  email text NOT NULL,
  balance numeric(18, 2) NOT NULL,
  created_at timestamptz NOT NULL,
  profile jsonb NOT NULL
)`,
    fill: (n) => `INSERT INTO accounts
SELECT g, md5('a' || g)::uuid, 'user' || g || '@example.com', (g::bigint * 7919 % 1000000) / 100.0,
       timestamptz '2024-01-01 00:00:00+00' + g * interval '1 second',
       jsonb_build_object('name', 'User ' || g, 'tier', g % 5, 'tags', jsonb_build_array('t' || (g % 17), 't' || (g % 31)))
FROM generate_series(1, ${n("accounts")}) g`,
    build: [
      "ALTER TABLE accounts ADD CONSTRAINT accounts_pkey PRIMARY KEY (id)",
      "ALTER TABLE accounts ADD CONSTRAINT accounts_uid_key UNIQUE (uid)",
      "CREATE INDEX accounts_email_idx ON accounts (lower(email))",
    ],
  },
  {
    name: "events",
    share: 0.45,
    bytesPerRow: 283,
    create: `CREATE TABLE events (
  id bigint NOT NULL,
  account_id bigint NOT NULL,
  kind text NOT NULL,
  payload jsonb NOT NULL,
  body text,
  blob bytea,
  happened_at timestamptz NOT NULL
)`,
    fill: (n) => `INSERT INTO events
SELECT g, 1 + g % ${n("accounts")}, (ARRAY['login', 'deposit', 'transfer', 'withdraw'])[1 + g % 4],
       jsonb_build_object('amount', g % 1000, 'currency', 'USD', 'ref', md5(g::text), 'ok', g % 3 <> 0),
       repeat(md5('b' || g), 2 + g % 3), decode(md5('c' || g), 'hex'),
       timestamptz '2024-06-01 00:00:00+00' + g * interval '250 milliseconds'
FROM generate_series(1, ${n("events")}) g`,
    build: [
      "ALTER TABLE events ADD CONSTRAINT events_pkey PRIMARY KEY (id)",
      "CREATE INDEX events_account_idx ON events (account_id, happened_at)",
      "CREATE INDEX events_payload_idx ON events USING gin (payload jsonb_path_ops)",
    ],
  },
  {
    name: "ledger",
    share: 0.2,
    bytesPerRow: 69,
    create: `CREATE TABLE ledger (
  id bigint NOT NULL,
  account_id bigint NOT NULL,
  event_id bigint,
  amount numeric(18, 2) NOT NULL,
  posted_at timestamptz NOT NULL
)`,
    fill: (n) => `INSERT INTO ledger
SELECT g, 1 + g % ${n("accounts")}, 1 + g % ${n("events")}, ((g::bigint * 31) % 100000) / 100.0 - 500,
       timestamptz '2024-06-01 00:00:00+00' + g * interval '100 milliseconds'
FROM generate_series(1, ${n("ledger")}) g`,
    build: [
      "ALTER TABLE ledger ADD CONSTRAINT ledger_pkey PRIMARY KEY (id)",
      "CREATE INDEX ledger_account_idx ON ledger (account_id)",
    ],
  },
  {
    // Wide: twenty columns of most common types, a text array and a partial index.
    name: "products",
    share: 0.15,
    bytesPerRow: 500,
    create: `CREATE TABLE products (
  id bigint NOT NULL,
  sku text NOT NULL,
  uid uuid NOT NULL,
  name text NOT NULL,
  description text NOT NULL,
  price numeric(12, 2) NOT NULL,
  cost numeric(12, 2),
  weight_kg real,
  rating double precision,
  stock integer NOT NULL,
  category smallint NOT NULL,
  active boolean NOT NULL,
  tags text[] NOT NULL,
  attributes jsonb NOT NULL,
  released date,
  created_at timestamptz NOT NULL,
  updated_at timestamp,
  owner_id bigint,
  thumbnail bytea,
  notes varchar(200)
)`,
    fill: (n) => `INSERT INTO products
SELECT g, 'SKU-' || lpad(g::text, 10, '0'), md5('p' || g)::uuid, 'Product ' || g,
       repeat('lorem ipsum dolor sit amet ' || (g % 97) || ' ', 3 + g % 5),
       (g::bigint * 37 % 100000) / 100.0, CASE WHEN g % 7 = 0 THEN NULL ELSE (g::bigint * 13 % 50000) / 100.0 END,
       (g % 5000) / 100.0, (g % 50) / 10.0, g % 1000, (g % 40)::smallint, g % 10 <> 0,
       ARRAY['c' || (g % 40), 'b' || (g % 9)],
       jsonb_build_object('color', (ARRAY['red', 'green', 'blue'])[1 + g % 3], 'size', g % 12,
                          'dims', jsonb_build_array(g % 100, g % 70, g % 30)),
       date '2020-01-01' + (g % 1500), timestamptz '2023-01-01 00:00:00+00' + g * interval '1 minute',
       timestamp '2024-01-01 00:00:00' + g * interval '2 seconds',
       CASE WHEN g % 3 = 0 THEN NULL ELSE 1 + g % ${n("accounts")} END,
       decode(md5('t' || g) || md5('u' || g), 'hex'), CASE WHEN g % 4 = 0 THEN NULL ELSE 'note ' || g END
FROM generate_series(1, ${n("products")}) g`,
    build: [
      "ALTER TABLE products ADD CONSTRAINT products_pkey PRIMARY KEY (id)",
      "ALTER TABLE products ADD CONSTRAINT products_sku_key UNIQUE (sku)",
      "CREATE INDEX products_active_category_idx ON products (category, price) WHERE active",
    ],
  },
  {
    // Narrow: two integers a row, the worst case for per-row overhead.
    name: "account_tags",
    share: 0.08,
    bytesPerRow: 45,
    create: `CREATE TABLE account_tags (
  account_id bigint NOT NULL,
  tag_id integer NOT NULL
)`,
    fill: (n) => `INSERT INTO account_tags
SELECT 1 + (g - 1) / 4, (g::bigint * 7) % 1000 + ((g - 1) % 4) * 1000
FROM generate_series(1, ${n("account_tags")}) g
WHERE 1 + (g - 1) / 4 <= ${n("accounts")}`,
    build: ["ALTER TABLE account_tags ADD CONSTRAINT account_tags_pkey PRIMARY KEY (account_id, tag_id)"],
  },
];

/** Added once every table has its keys (each references another table's primary key). */
export const BENCH_FOREIGN_KEYS: readonly string[] = [
  "ALTER TABLE events ADD CONSTRAINT events_account_id_fkey FOREIGN KEY (account_id) REFERENCES accounts (id)",
  "ALTER TABLE ledger ADD CONSTRAINT ledger_account_id_fkey FOREIGN KEY (account_id) REFERENCES accounts (id)",
  "ALTER TABLE ledger ADD CONSTRAINT ledger_event_id_fkey FOREIGN KEY (event_id) REFERENCES events (id)",
  "ALTER TABLE products ADD CONSTRAINT products_owner_id_fkey FOREIGN KEY (owner_id) REFERENCES accounts (id)",
  "ALTER TABLE account_tags ADD CONSTRAINT account_tags_account_id_fkey FOREIGN KEY (account_id) REFERENCES accounts (id)",
];

/** Row counts per table at a scale (at least 1000 each, so that the smallest scale still has data). */
export function benchRowCounts(scaleMb: number): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const t of BENCH_TABLES) {
    counts[t.name] = Math.max(1000, Math.round((scaleMb * 1e6 * t.share) / t.bytesPerRow));
  }
  // account_tags holds four tags per account at most (its key is (account_id, tag_id)).
  counts.account_tags = Math.min(counts.account_tags as number, (counts.accounts as number) * 4);
  return counts;
}

/** The whole dataset, as one script: tables, rows, keys and indexes, foreign keys, statistics. */
export function datasetSql(scaleMb: number): string {
  const counts = benchRowCounts(scaleMb);
  const n = (table: string) => {
    const count = counts[table];
    if (count === undefined) throw new Error(`no row count for bench table ${table}`);
    return count;
  };
  return [
    ...BENCH_TABLES.map((t) => t.create),
    ...BENCH_TABLES.map((t) => t.fill(n)),
    ...BENCH_TABLES.flatMap((t) => t.build),
    ...BENCH_FOREIGN_KEYS,
    "ANALYZE",
  ]
    .map((s) => `${s};`)
    .join("\n");
}

/** The dataset as a benchmark shape (bench/shapes.ts): one script, the raw limit's tables and keys. */
export function standardDataset(scaleMb: number): ShapeDataset {
  return {
    scripts: [datasetSql(scaleMb)],
    tables: BENCH_TABLES,
    foreignKeys: BENCH_FOREIGN_KEYS,
    rows: benchRowCounts(scaleMb),
  };
}
