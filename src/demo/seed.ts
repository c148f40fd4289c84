/**
 * A small escrow-service database like the one pgsync-ts was first built for: users, wallets,
 * escrows and the transactions between them. Deterministic: the same rows on every run.
 */
export const DEMO_SEED_SQL = `
CREATE TYPE escrow_status AS ENUM ('pending', 'funded', 'released', 'disputed', 'refunded');

CREATE TABLE users (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  email text NOT NULL UNIQUE,
  full_name text NOT NULL,
  kyc_verified boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE wallets (
  id serial PRIMARY KEY,
  user_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  currency char(3) NOT NULL DEFAULT 'USD',
  balance numeric(18, 2) NOT NULL DEFAULT 0 CHECK (balance >= 0),
  UNIQUE (user_id, currency)
);

CREATE TABLE escrows (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  buyer_id bigint NOT NULL REFERENCES users (id),
  seller_id bigint NOT NULL REFERENCES users (id),
  amount numeric(18, 2) NOT NULL CHECK (amount > 0),
  currency char(3) NOT NULL,
  status escrow_status NOT NULL DEFAULT 'pending',
  terms jsonb NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now(),
  released_at timestamptz,
  CONSTRAINT buyer_is_not_seller CHECK (buyer_id <> seller_id)
);
CREATE INDEX escrows_status_idx ON escrows (status) WHERE status <> 'released';

CREATE TABLE transactions (
  id bigserial PRIMARY KEY,
  wallet_id integer NOT NULL REFERENCES wallets (id),
  escrow_id uuid REFERENCES escrows (id),
  kind text NOT NULL CHECK (kind IN ('deposit', 'withdrawal', 'hold', 'release', 'refund')),
  amount numeric(18, 2) NOT NULL,
  metadata jsonb,
  created_at timestamptz NOT NULL
);
CREATE INDEX transactions_wallet_time_idx ON transactions (wallet_id, created_at DESC);
CREATE INDEX transactions_metadata_idx ON transactions USING gin (metadata);

CREATE SCHEMA audit;
CREATE TABLE audit.events (
  id bigserial PRIMARY KEY,
  happened_at timestamptz NOT NULL,
  actor bigint REFERENCES users (id),
  action text NOT NULL,
  detail jsonb
);

INSERT INTO users (email, full_name, kyc_verified, created_at)
SELECT 'user' || g || '@example.com', 'User ' || g, g % 3 <> 0,
       timestamptz '2025-01-01 00:00:00+00' + g * interval '37 minutes'
FROM generate_series(1, 2000) g;

INSERT INTO wallets (user_id, currency, balance)
SELECT u.id, c.currency, ((u.id * 7919 + length(c.currency) * 104729) % 100000) / 100.0
FROM users u CROSS JOIN (VALUES ('USD'), ('EUR')) AS c(currency)
WHERE c.currency = 'USD' OR u.id % 4 = 0;

INSERT INTO escrows (id, buyer_id, seller_id, amount, currency, status, terms, created_at, released_at)
SELECT md5('escrow' || g)::uuid, 1 + g % 2000, 1 + (g * 7 + 3) % 2000, 10 + (g * 37 % 5000) / 10.0, 'USD',
       (ARRAY['pending', 'funded', 'released', 'disputed', 'refunded']::escrow_status[])[1 + g % 5],
       jsonb_build_object('milestones', 1 + g % 4, 'inspection_days', 3 + g % 10, 'note', 'order #' || g),
       timestamptz '2025-03-01 00:00:00+00' + g * interval '2 hours',
       CASE WHEN g % 5 = 2 THEN timestamptz '2025-03-05 00:00:00+00' + g * interval '2 hours' END
FROM generate_series(1, 3000) g
WHERE 1 + g % 2000 <> 1 + (g * 7 + 3) % 2000;

INSERT INTO transactions (wallet_id, escrow_id, kind, amount, metadata, created_at)
SELECT 1 + g % 2000,
       CASE WHEN g % 3 = 0 THEN md5('escrow' || (1 + g % 3000))::uuid END,
       (ARRAY['deposit', 'withdrawal', 'hold', 'release', 'refund'])[1 + g % 5],
       (g * 13 % 100000) / 100.0,
       CASE WHEN g % 2 = 0 THEN jsonb_build_object('channel', (ARRAY['card', 'bank', 'crypto'])[1 + g % 3], 'ref', g) END,
       timestamptz '2025-03-01 00:00:00+00' + g * interval '11 minutes'
FROM generate_series(1, 6000) g
WHERE g % 3 <> 0 OR EXISTS (SELECT 1 FROM escrows e WHERE e.id = md5('escrow' || (1 + g % 3000))::uuid);

INSERT INTO audit.events (happened_at, actor, action, detail)
SELECT timestamptz '2025-03-01 00:00:00+00' + g * interval '5 minutes', 1 + g % 2000,
       (ARRAY['login', 'escrow.create', 'escrow.release', 'wallet.deposit'])[1 + g % 4],
       jsonb_build_object('ip', '10.0.' || (g % 256) || '.' || (g * 7 % 256))
FROM generate_series(1, 1500) g;

ANALYZE;
`;
