/**
 * The wide-TOAST shape: rows whose values are too large for the heap page, so that nearly all the
 * bytes live in TOAST. `attachments` carries a text of about 9 kB a row (words from a small
 * vocabulary: pglz compresses it several-fold) and a bytea of 16 kB a row (md5 digests: it does not
 * compress, so it is stored out of line as it is). It measures the COPY path on large values
 * (detoasting on the source, compressing and chunking again on the destination) rather than per-row
 * overhead. A small `owners` table is referenced by a foreign key.
 */
import type { RawTable, ShapeDataset } from "./shape-types.js";

/** Bytes per attachments row as stored (heap + TOAST), measured on PostgreSQL 15. */
const ATTACHMENT_BYTES = 18_500;
const OWNERS = 1000;

const TABLES: readonly (RawTable & { fill: (attachments: number) => string })[] = [
  {
    name: "owners",
    create: "CREATE TABLE owners (\n  id integer NOT NULL,\n  name text NOT NULL\n)",
    fill: () => `INSERT INTO owners SELECT g, 'owner ' || g FROM generate_series(1, ${OWNERS}) g`,
    build: ["ALTER TABLE owners ADD CONSTRAINT owners_pkey PRIMARY KEY (id)"],
  },
  {
    name: "attachments",
    create: `CREATE TABLE attachments (
  id bigint NOT NULL,
  owner_id integer NOT NULL,
  name text NOT NULL,
  body text NOT NULL,
  data bytea NOT NULL
)`,
    fill: (n) => `INSERT INTO attachments
SELECT g, 1 + g % ${OWNERS}, 'attachment-' || g || '.bin',
       (SELECT string_agg((ARRAY['ledger', 'invoice', 'account', 'balance', 'transfer', 'deposit', 'escrow',
                                 'payment', 'refund', 'statement', 'customer', 'merchant', 'currency',
                                 'amount', 'settled', 'pending'])[1 + (g * 31 + i * 7) % 16], ' ')
          FROM generate_series(1, 1200) i),
       (SELECT decode(string_agg(md5(g::text || '.' || i), ''), 'hex') FROM generate_series(1, 1000) i)
FROM generate_series(1, ${n}) g`,
    build: ["ALTER TABLE attachments ADD CONSTRAINT attachments_pkey PRIMARY KEY (id)"],
  },
];

const FOREIGN_KEYS = [
  "ALTER TABLE attachments ADD CONSTRAINT attachments_owner_id_fkey FOREIGN KEY (owner_id) REFERENCES owners (id)",
];

export function wideToastDataset(scaleMb: number): ShapeDataset {
  const attachments = Math.max(200, Math.round((scaleMb * 1e6) / ATTACHMENT_BYTES));
  const script = [
    ...TABLES.map((t) => t.create),
    ...TABLES.map((t) => t.fill(attachments)),
    ...TABLES.flatMap((t) => t.build),
    ...FOREIGN_KEYS,
  ]
    .map((s) => `${s};`)
    .join("\n");
  return {
    scripts: [script],
    tables: TABLES.map(({ name, create, build }) => ({ name, create, build })),
    foreignKeys: FOREIGN_KEYS,
    rows: { owners: OWNERS, attachments },
  };
}
