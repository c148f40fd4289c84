/**
 * A deterministic benchmark dataset generated inside Postgres: wide and narrow tables with numeric,
 * jsonb, text, bytea, uuid and timestamp columns, several indexes including a GIN, and foreign keys.
 * `scaleMb` is the approximate size of the table data (indexes come on top).
 */
export function datasetSql(scaleMb: number): string {
  // Per-row sizes measured on PostgreSQL 15: accounts ~200 B, events ~330 B, ledger ~90 B.
  const accounts = Math.max(1000, Math.round((scaleMb * 1e6 * 0.15) / 200));
  const events = Math.max(1000, Math.round((scaleMb * 1e6 * 0.55) / 330));
  const ledger = Math.max(1000, Math.round((scaleMb * 1e6 * 0.3) / 90));
  return `
CREATE TABLE accounts (
  id bigint PRIMARY KEY,
  uid uuid NOT NULL UNIQUE,
  email text NOT NULL,
  balance numeric(18, 2) NOT NULL,
  created_at timestamptz NOT NULL,
  profile jsonb NOT NULL
);
INSERT INTO accounts
SELECT g, md5('a' || g)::uuid, 'user' || g || '@example.com', (g * 7919 % 1000000) / 100.0,
       timestamptz '2024-01-01 00:00:00+00' + g * interval '1 second',
       jsonb_build_object('name', 'User ' || g, 'tier', g % 5, 'tags', jsonb_build_array('t' || (g % 17), 't' || (g % 31)))
FROM generate_series(1, ${accounts}) g;

CREATE TABLE events (
  id bigint PRIMARY KEY,
  account_id bigint NOT NULL REFERENCES accounts (id),
  kind text NOT NULL,
  payload jsonb NOT NULL,
  body text,
  blob bytea,
  happened_at timestamptz NOT NULL
);
INSERT INTO events
SELECT g, 1 + g % ${accounts}, (ARRAY['login', 'deposit', 'transfer', 'withdraw'])[1 + g % 4],
       jsonb_build_object('amount', g % 1000, 'currency', 'USD', 'ref', md5(g::text), 'ok', g % 3 <> 0),
       repeat(md5('b' || g), 2 + g % 3), decode(md5('c' || g), 'hex'),
       timestamptz '2024-06-01 00:00:00+00' + g * interval '250 milliseconds'
FROM generate_series(1, ${events}) g;

CREATE TABLE ledger (
  id bigint PRIMARY KEY,
  account_id bigint NOT NULL REFERENCES accounts (id),
  event_id bigint REFERENCES events (id),
  amount numeric(18, 2) NOT NULL,
  posted_at timestamptz NOT NULL
);
INSERT INTO ledger
SELECT g, 1 + g % ${accounts}, 1 + g % ${events}, ((g * 31) % 100000) / 100.0 - 500,
       timestamptz '2024-06-01 00:00:00+00' + g * interval '100 milliseconds'
FROM generate_series(1, ${ledger}) g;

CREATE INDEX events_account_idx ON events (account_id, happened_at);
CREATE INDEX events_payload_idx ON events USING gin (payload jsonb_path_ops);
CREATE INDEX ledger_account_idx ON ledger (account_id);
CREATE INDEX accounts_email_idx ON accounts (lower(email));
ANALYZE;`;
}
