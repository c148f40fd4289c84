/**
 * The dominant-table shape: about 80% of the table data in `documents`, whose jsonb column is
 * indexed by a GIN (the default jsonb_ops, which indexes every key and every value), next to a
 * B-tree primary key and a two-column B-tree. The run's wall time is then one chain: that table's
 * COPY followed by its GIN build, which no other work can shorten. Two smaller tables reference it
 * and each other, so foreign keys wait for the chain too.
 *
 * Sizes (measured on PostgreSQL 15): the jsonb value is about 600 bytes a row (19 keys, a nested
 * object, an array of four tags and an array of two line objects); a documents row is about 700
 * bytes of heap.
 */
import type { RawTable, ShapeDataset } from "./shape-types.js";
import { rowsOf } from "./shape-types.js";

interface Part extends RawTable {
  readonly share: number;
  readonly bytesPerRow: number;
  readonly fill: (n: (table: string) => number) => string;
}

const PARTS: readonly Part[] = [
  {
    name: "accounts",
    share: 0.12,
    bytesPerRow: 120,
    create: `CREATE TABLE accounts (
  id bigint NOT NULL,
  name text NOT NULL,
  email text NOT NULL,
  created_at timestamptz NOT NULL
)`,
    fill: (n) => `INSERT INTO accounts
SELECT g, 'Account ' || g, 'account' || g || '@example.com', timestamptz '2023-01-01 00:00:00+00' + g * interval '1 minute'
FROM generate_series(1, ${n("accounts")}) g`,
    build: ["ALTER TABLE accounts ADD CONSTRAINT accounts_pkey PRIMARY KEY (id)"],
  },
  {
    name: "documents",
    share: 0.8,
    bytesPerRow: 700,
    create: `CREATE TABLE documents (
  id bigint NOT NULL,
  account_id bigint NOT NULL,
  kind smallint NOT NULL,
  created_at timestamptz NOT NULL,
  doc jsonb NOT NULL
)`,
    fill: (n) => `INSERT INTO documents
SELECT g, 1 + g % ${n("accounts")}, (g % 5)::smallint, timestamptz '2024-01-01 00:00:00+00' + g * interval '10 seconds',
       jsonb_build_object(
         'id', g, 'type', (ARRAY['invoice', 'receipt', 'contract', 'letter', 'statement'])[1 + g % 5],
         'status', (ARRAY['draft', 'sent', 'paid', 'void'])[1 + g % 4],
         'amount', (g::bigint * 7919 % 10000000) / 100.0, 'currency', (ARRAY['USD', 'EUR', 'GBP'])[1 + g % 3],
         'customer', jsonb_build_object('id', 1 + g % ${n("accounts")}, 'name', 'Customer ' || (g % 9973),
                                        'country', (ARRAY['US', 'DE', 'FR', 'GB', 'JP', 'BR'])[1 + g % 6]),
         'tags', jsonb_build_array('t' || (g % 101), 't' || (g % 53), 't' || (g % 29), 't' || (g % 7)),
         'lines', jsonb_build_array(
           jsonb_build_object('sku', 'SKU-' || (g % 997), 'qty', 1 + g % 9, 'price', (g % 50000) / 100.0),
           jsonb_build_object('sku', 'SKU-' || (g % 991), 'qty', 1 + g % 5, 'price', (g % 30000) / 100.0)),
         'ref', md5(g::text), 'external_ref', md5('x' || g), 'priority', g % 3, 'pages', 1 + g % 40,
         'language', (ARRAY['en', 'de', 'fr', 'ja'])[1 + g % 4], 'signed', g % 2 = 0,
         'due', to_char(date '2024-01-01' + (g % 700), 'YYYY-MM-DD'),
         'channel', (ARRAY['email', 'portal', 'api', 'paper'])[1 + g % 4],
         'version', 1 + g % 12, 'region', 'region-' || (g % 37), 'score', (g % 1000) / 10.0,
         'note', 'generated document number ' || g)
FROM generate_series(1, ${n("documents")}) g`,
    build: [
      "ALTER TABLE documents ADD CONSTRAINT documents_pkey PRIMARY KEY (id)",
      "CREATE INDEX documents_account_created_idx ON documents (account_id, created_at)",
      "CREATE INDEX documents_doc_idx ON documents USING gin (doc)",
    ],
  },
  {
    name: "document_notes",
    share: 0.08,
    bytesPerRow: 110,
    create: `CREATE TABLE document_notes (
  id bigint NOT NULL,
  document_id bigint NOT NULL,
  account_id bigint NOT NULL,
  body text NOT NULL
)`,
    fill: (n) => `INSERT INTO document_notes
SELECT g, 1 + g % ${n("documents")}, 1 + g % ${n("accounts")}, 'note ' || g || ' on document ' || (1 + g % ${n("documents")})
FROM generate_series(1, ${n("document_notes")}) g`,
    build: ["ALTER TABLE document_notes ADD CONSTRAINT document_notes_pkey PRIMARY KEY (id)"],
  },
];

const FOREIGN_KEYS = [
  "ALTER TABLE documents ADD CONSTRAINT documents_account_id_fkey FOREIGN KEY (account_id) REFERENCES accounts (id)",
  "ALTER TABLE document_notes ADD CONSTRAINT document_notes_document_id_fkey FOREIGN KEY (document_id) REFERENCES documents (id)",
  "ALTER TABLE document_notes ADD CONSTRAINT document_notes_account_id_fkey FOREIGN KEY (account_id) REFERENCES accounts (id)",
];

export function dominantDataset(scaleMb: number): ShapeDataset {
  const rows: Record<string, number> = {};
  for (const p of PARTS) rows[p.name] = Math.max(1000, Math.round((scaleMb * 1e6 * p.share) / p.bytesPerRow));
  const n = (table: string) => rowsOf(rows, table);
  const script = [
    ...PARTS.map((p) => p.create),
    ...PARTS.map((p) => p.fill(n)),
    ...PARTS.flatMap((p) => p.build),
    ...FOREIGN_KEYS,
  ]
    .map((s) => `${s};`)
    .join("\n");
  return {
    scripts: [script],
    tables: PARTS.map(({ name, create, build }) => ({ name, create, build })),
    foreignKeys: FOREIGN_KEYS,
    rows,
  };
}
