/**
 * An escrow-like schema for the masking and subset tests: users with a unique email, wallets,
 * escrows between two users, transactions, invoices whose billing_email references a user's email,
 * a jsonb audit column holding emails, and column names that only look like personal data.
 * Cycles: users.manager_id and transactions.reversal_of reference their own table, and
 * users.primary_wallet_id and wallets.user_id reference each other.
 */
import type { MaskingConfig } from "../../src/config/types.js";

export interface FixtureUser {
  readonly id: number;
  readonly email: string;
  readonly phone: string | null;
  readonly fullName: string;
  readonly taxId: string;
  readonly notes: string | null;
  readonly birthDate: string;
  /** Days before the fixture's reference time the user signed up. */
  readonly ageDays: number;
  readonly managerId: number | null;
}

/** Names no masked value can be: the name transformer's lists hold neither part. */
export const USERS: readonly FixtureUser[] = [
  {
    id: 1,
    email: "quentin.farquharson@corp.example",
    phone: "+44 20 7946 0958",
    fullName: "Quentin Farquharson",
    taxId: "GB-TX-884201",
    notes: "VIP, call before shipping",
    birthDate: "1980-03-14",
    ageDays: 400,
    managerId: null,
  },
  {
    id: 2,
    email: "ottoline.bramwell@corp.example",
    phone: "+1 (415) 555-0142",
    fullName: "Ottoline Bramwell",
    taxId: "US-TX-119934",
    notes: null,
    birthDate: "1991-07-02",
    ageDays: 30,
    managerId: 1,
  },
  {
    id: 3,
    email: "thaddeus.okonkwo@mail.example",
    phone: "0049 30 1234567",
    fullName: "Thaddeus Okonkwo",
    taxId: "DE-TX-552017",
    notes: "prefers email",
    birthDate: "1975-12-31",
    ageDays: 10,
    managerId: 2,
  },
  {
    id: 4,
    email: "perpetua.vance@mail.example",
    phone: null,
    fullName: "Perpetua Vance",
    taxId: "FR-TX-330981",
    notes: "disputes often",
    birthDate: "2001-01-01",
    ageDays: 200,
    managerId: 1,
  },
  {
    id: 5,
    email: "ignatius.hale@corp.example",
    phone: "+353 1 555 0199",
    fullName: "Ignatius Hale",
    taxId: "IE-TX-774402",
    notes: null,
    birthDate: "1969-06-21",
    ageDays: 5,
    managerId: 3,
  },
  {
    id: 6,
    email: "wilhelmina.sterne@corp.example",
    phone: "030 9988776",
    fullName: "Wilhelmina Sterne",
    taxId: "DE-TX-100200",
    notes: "reseller",
    birthDate: "1988-08-08",
    ageDays: 365,
    managerId: null,
  },
];

/** Every original value of a masked column, and the audit column's emails: none may reach the destination. */
export const ORIGINALS: readonly string[] = USERS.flatMap((u) =>
  [u.email, u.phone, u.fullName, u.taxId, u.notes].filter((v): v is string => v !== null),
);

export const FIXTURE_SQL = `
CREATE TABLE public.users (
  id bigint PRIMARY KEY,
  email text NOT NULL UNIQUE,
  phone varchar(20),
  full_name text,
  tax_id text,
  notes text,
  birth_date date,
  created_at timestamptz NOT NULL,
  description text,
  last_login_at timestamptz,
  manager_id bigint REFERENCES public.users (id),
  primary_wallet_id bigint
);
CREATE TABLE public.wallets (
  id bigint PRIMARY KEY,
  user_id bigint NOT NULL REFERENCES public.users (id),
  currency text NOT NULL,
  balance numeric(18, 2) NOT NULL
);
ALTER TABLE public.users ADD FOREIGN KEY (primary_wallet_id) REFERENCES public.wallets (id);
CREATE TABLE public.escrows (
  id bigint PRIMARY KEY,
  buyer_id bigint NOT NULL REFERENCES public.users (id),
  seller_id bigint NOT NULL REFERENCES public.users (id),
  amount numeric(18, 2) NOT NULL,
  status text NOT NULL
);
CREATE TABLE public.transactions (
  id bigint PRIMARY KEY,
  wallet_id bigint NOT NULL REFERENCES public.wallets (id),
  escrow_id bigint REFERENCES public.escrows (id),
  reversal_of bigint REFERENCES public.transactions (id),
  amount numeric(18, 2) NOT NULL
);
CREATE TABLE public.invoices (
  id bigint PRIMARY KEY,
  escrow_id bigint NOT NULL REFERENCES public.escrows (id),
  billing_email text NOT NULL REFERENCES public.users (email),
  total numeric(18, 2) NOT NULL,
  audit jsonb
);
-- Names that only look like personal data: none is a whole listed word, or it is a thing's name.
CREATE TABLE public.app_settings (
  id int PRIMARY KEY,
  table_name text NOT NULL,
  description text,
  shipping_fee numeric,
  zipped boolean,
  last_login_at timestamptz,
  recipient_count int
);
${USERS.map(
  (u) =>
    `INSERT INTO public.users (id, email, phone, full_name, tax_id, notes, birth_date, created_at, description, last_login_at, manager_id)
     VALUES (${u.id}, '${u.email}', ${u.phone === null ? "NULL" : `'${u.phone}'`}, '${u.fullName}', '${u.taxId}', ${u.notes === null ? "NULL" : `'${u.notes}'`},
             '${u.birthDate}', now() - interval '${u.ageDays} days', 'user number ${u.id}', now() - interval '1 day', ${u.managerId ?? "NULL"});`,
).join("\n")}
INSERT INTO public.wallets VALUES (10, 1, 'EUR', 100), (11, 1, 'USD', 5), (20, 2, 'EUR', 50), (30, 3, 'GBP', 7),
  (40, 4, 'EUR', 0), (50, 5, 'EUR', 12), (60, 6, 'USD', 99);
UPDATE public.users SET primary_wallet_id = id * 10;
INSERT INTO public.escrows VALUES (100, 2, 1, 40, 'open'), (101, 3, 4, 12, 'released'), (102, 4, 6, 80, 'disputed'),
  (103, 5, 3, 9, 'open'), (104, 6, 1, 15, 'released');
INSERT INTO public.transactions VALUES
  (1000, 20, 100, NULL, -40), (1001, 10, 100, NULL, 40), (1002, 30, 101, NULL, -12), (1003, 40, 101, NULL, 12),
  (1004, 40, 102, NULL, -80), (1005, 60, 102, NULL, 80), (1006, 60, 102, 1005, -80), (1007, 50, 103, NULL, -9),
  (1008, 30, 103, NULL, 9), (1009, 30, 103, 1008, -9), (1010, 11, NULL, NULL, 5);
INSERT INTO public.invoices VALUES
  (500, 100, '${USERS[1]?.email}', 40, '{"by": "${USERS[1]?.email}", "cc": ["${USERS[0]?.email}"], "event": "created"}'),
  (501, 101, '${USERS[2]?.email}', 12, '{"by": "${USERS[2]?.email}", "event": "paid"}'),
  (502, 102, '${USERS[3]?.email}', 80, '{"event": "disputed", "note": "no address inside"}'),
  (503, 103, '${USERS[4]?.email}', 9, NULL);
INSERT INTO public.app_settings VALUES (1, 'escrows', 'escrow fee settings', 2.5, false, now(), 2);
ANALYZE;`;

export const MASK_KEY = "test-masking-key-0123456789abcdef";
export const OTHER_KEY = "another-masking-key-fedcba9876543210";

/** The issue's rules, plus the jsonb audit column, strict, with every other column of their tables kept. */
export function fixtureMasking(key: string = MASK_KEY): MaskingConfig {
  return {
    key: { value: key },
    strict: true,
    rules: {
      "public.users.email": "email",
      "public.users.phone": "phone",
      "public.users.full_name": "name",
      "public.users.tax_id": "null",
      "public.users.notes": { fixed: "redacted" },
      "public.users.birth_date": { "shift-days": 30 },
      "public.invoices.audit": {
        sql: "pg_catalog.regexp_replace(t.audit::text, '[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+[.][A-Za-z]{2,}', 'redacted@example.invalid', 'g')::jsonb",
      },
    },
    keep: [
      "public.users.id",
      "public.users.created_at",
      "public.users.description",
      "public.users.last_login_at",
      "public.users.manager_id",
      "public.users.primary_wallet_id",
      "public.invoices.id",
      "public.invoices.escrow_id",
      "public.invoices.total",
    ],
  };
}
