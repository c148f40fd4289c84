/**
 * A small but varied catalog model, written by hand as introspection would produce it for this
 * schema (deparsed text schema-qualified, since introspection pins search_path = pg_catalog):
 *
 *   CREATE TYPE app.status AS ENUM ('new', 'paid');
 *   CREATE DOMAIN app.code AS varchar(8) CONSTRAINT code_check CHECK (VALUE ~ '^[A-Z]+$');
 *   CREATE SEQUENCE app.customer_id_seq AS integer;            -- owned by customers.id
 *   CREATE TABLE app.customers (id integer DEFAULT nextval('app.customer_id_seq') NOT NULL PRIMARY KEY,
 *                               email text COLLATE "C" UNIQUE NULLS NOT DISTINCT);
 *   CREATE TABLE app.orders (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
 *                            customer_id integer NOT NULL REFERENCES app.customers,
 *                            status app.status DEFAULT 'new' NOT NULL, code app.code,
 *                            qty integer CHECK (qty > 0), price numeric(10,2),
 *                            total numeric GENERATED ALWAYS AS (qty * price) STORED);
 *   CREATE INDEX orders_status_idx ON app.orders (status);
 *   CREATE TABLE app.events (at date NOT NULL PRIMARY KEY, payload jsonb) PARTITION BY RANGE (at);
 *   CREATE TABLE app.events_2024 PARTITION OF app.events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
 *   CREATE INDEX events_payload_idx ON app.events USING gin (payload);  -- and events_2024_payload_idx
 *   CREATE FUNCTION app.order_count(customer integer) RETURNS bigint LANGUAGE sql STABLE
 *     AS $$SELECT count(*) FROM app.orders WHERE customer_id = customer$$;
 *   CREATE VIEW app.order_totals AS SELECT customer_id, sum(total) AS total FROM app.orders GROUP BY 1;
 *   COMMENT ON SCHEMA app / TABLE app.orders / COLUMN app.orders.status;
 *   GRANT MAINTAIN ON app.orders TO maint;                      -- PostgreSQL 17 and later
 */
import type { CatalogModel, Column, SequenceOptions, Table } from "../../src/introspect/model.js";

const INTEGER: SequenceOptions = {
  dataType: "integer",
  start: "1",
  increment: "1",
  min: "1",
  max: "2147483647",
  cache: "1",
  cycle: false,
};
const BIGINT: SequenceOptions = { ...INTEGER, dataType: "bigint", max: "9223372036854775807" };

const column = (position: number, name: string, type: string, more: Partial<Column> = {}): Column => ({
  name,
  position,
  type,
  typeOid: 0,
  binarySafe: true,
  notNull: false,
  ...more,
});

const table = (oid: number, name: string, columns: Column[], more: Partial<Table> = {}): Table => ({
  oid,
  schema: "app",
  name,
  persistence: "permanent",
  columns,
  allColumns: columns,
  options: [],
  inherits: [],
  rowSecurity: false,
  forceRowSecurity: false,
  bytes: 8192,
  estimatedRows: 10,
  ...more,
});

const CUSTOMERS = { schema: "app", name: "customers" };
const ORDERS = { schema: "app", name: "orders" };
const EVENTS = { schema: "app", name: "events" };

const eventColumns = [column(1, "at", "date", { notNull: true }), column(2, "payload", "jsonb")];

export const FIXTURE: CatalogModel = {
  server: {
    versionNum: 170010,
    major: 17,
    version: "17.10",
    database: "shop",
    user: "postgres",
    isSuperuser: true,
    inRecovery: false,
    identity: "fixture",
  },
  schemas: [{ oid: 2200, name: "app" }],
  extensions: [],
  enums: [{ oid: 100, schema: "app", name: "status", labels: ["new", "paid"] }],
  domains: [
    {
      oid: 101,
      schema: "app",
      name: "code",
      baseType: "character varying(8)",
      notNull: false,
      checks: [{ name: "code_check", definition: "CHECK (((VALUE)::text ~ '^[A-Z]+$'::text))" }],
    },
  ],
  composites: [],
  ranges: [],
  sequences: [
    {
      oid: 110,
      schema: "app",
      name: "customer_id_seq",
      options: INTEGER,
      persistence: "permanent",
      lastValue: "3",
      ownedBy: { table: CUSTOMERS, column: "id" },
      isIdentity: false,
    },
    {
      oid: 111,
      schema: "app",
      name: "orders_id_seq",
      options: BIGINT,
      persistence: "permanent",
      lastValue: null,
      ownedBy: { table: ORDERS, column: "id" },
      isIdentity: true,
    },
  ],
  tables: [
    table(200, "customers", [
      column(1, "id", "integer", {
        notNull: true,
        defaultExpr: "nextval('app.customer_id_seq'::regclass)",
      }),
      column(2, "email", "text", { collation: { schema: "pg_catalog", name: "C" } }),
    ]),
    table(201, "orders", [
      column(1, "id", "bigint", {
        notNull: true,
        identity: { kind: "always", sequence: { schema: "app", name: "orders_id_seq" }, options: BIGINT },
      }),
      column(2, "customer_id", "integer", { notNull: true }),
      column(3, "status", "app.status", { notNull: true, defaultExpr: "'new'::app.status" }),
      column(4, "code", "app.code", { binarySafe: false }),
      column(5, "qty", "integer"),
      column(6, "price", "numeric(10,2)"),
      column(7, "total", "numeric", { generated: { kind: "stored", expr: "((qty)::numeric * price)" } }),
    ]),
    table(202, "events", eventColumns, { partitionKey: "RANGE (at)" }),
    table(203, "events_2024", [], {
      allColumns: eventColumns,
      partitionOf: { parent: EVENTS, bound: "FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')" },
    }),
  ],
  constraints: [
    {
      oid: 300,
      table: CUSTOMERS,
      tableOid: 200,
      name: "customers_pkey",
      kind: "primary key",
      definition: "PRIMARY KEY (id)",
    },
    {
      oid: 301,
      table: CUSTOMERS,
      tableOid: 200,
      name: "customers_email_key",
      kind: "unique",
      definition: "UNIQUE NULLS NOT DISTINCT (email)",
      index: "customers_email_key",
      nullsNotDistinct: true,
    },
    {
      oid: 302,
      table: ORDERS,
      tableOid: 201,
      name: "orders_pkey",
      kind: "primary key",
      definition: "PRIMARY KEY (id)",
    },
    {
      oid: 303,
      table: ORDERS,
      tableOid: 201,
      name: "orders_qty_check",
      kind: "check",
      definition: "CHECK ((qty > 0))",
    },
    {
      oid: 304,
      table: ORDERS,
      tableOid: 201,
      name: "orders_customer_id_fkey",
      kind: "foreign key",
      definition: "FOREIGN KEY (customer_id) REFERENCES app.customers(id)",
      referencedTableOid: 200,
    },
    {
      oid: 305,
      table: EVENTS,
      tableOid: 202,
      name: "events_pkey",
      kind: "primary key",
      definition: "PRIMARY KEY (at)",
    },
  ],
  indexes: [
    {
      oid: 400,
      table: ORDERS,
      tableOid: 201,
      name: "orders_status_idx",
      definition: "CREATE INDEX orders_status_idx ON app.orders USING btree (status)",
    },
    {
      oid: 401,
      table: EVENTS,
      tableOid: 202,
      name: "events_payload_idx",
      definition: "CREATE INDEX events_payload_idx ON ONLY app.events USING gin (payload)",
    },
    {
      oid: 402,
      table: { schema: "app", name: "events_2024" },
      tableOid: 203,
      name: "events_2024_payload_idx",
      definition: "CREATE INDEX events_2024_payload_idx ON app.events_2024 USING gin (payload)",
      attachedTo: { schema: "app", name: "events_payload_idx" },
    },
  ],
  routines: [
    {
      oid: 500,
      schema: "app",
      name: "order_count",
      kind: "function",
      identityArgs: "customer integer",
      language: "sql",
      definition:
        "CREATE OR REPLACE FUNCTION app.order_count(customer integer)\n RETURNS bigint\n LANGUAGE sql\n STABLE\nAS $function$SELECT count(*) FROM app.orders WHERE customer_id = customer$function$\n",
    },
  ],
  views: [
    {
      oid: 600,
      schema: "app",
      name: "order_totals",
      materialized: false,
      definition: " SELECT customer_id,\n    sum(total) AS total\n   FROM app.orders\n  GROUP BY customer_id",
      columns: ["customer_id", "total"],
      columnTypes: [{ type: "integer" }, { type: "numeric" }],
      options: [],
      populated: true,
    },
  ],
  triggers: [],
  policies: [],
  comments: [
    { kind: "schema", identity: "app", text: "The shop's tables", target: "pg_namespace:2200" },
    { kind: "table", identity: "app.orders", text: "One row per order", target: "pg_class:201" },
    { kind: "table column", identity: "app.orders.status", text: "Where it's at", target: "pg_class:201" },
  ],
  dependencies: [
    { dependent: "pg_class:201", referenced: "pg_type:100" },
    { dependent: "pg_class:201", referenced: "pg_type:101" },
    { dependent: "pg_class:600", referenced: "pg_class:201" },
    { dependent: "pg_class:200", referenced: "pg_class:110" },
  ],
  builtinFunctionUses: [],
  notCarried: [],
  privileges: {
    objects: [
      {
        kind: "TABLE",
        name: '"app"."orders"',
        owner: "shop_owner",
        hasAcl: true,
        grants: [{ grantee: "maint", privilege: "MAINTAIN", grantable: false }],
      },
    ],
    columns: [],
    defaults: [],
  },
  collations: [],
  statistics: [],
  rules: [],
  textSearchDictionaries: [],
  textSearchConfigurations: [],
  casts: [],
  operators: [],
  operatorClasses: [],
  operatorFamilies: [],
  accessMethods: [],
  foreignServers: [],
  foreignTables: [],
  databaseSettings: [{ name: "app.mode", value: "shop" }],
};

export const DESTINATION_ROLES: ReadonlySet<string> = new Set(["shop_owner", "maint"]);
