/**
 * planSync's whole output for the fixture's model, as inline snapshots, for the oldest and newest
 * destination majors. A change in any renderer or in the plan's order shows up here as a diff of
 * SQL to review. Every snapshot was read statement by statement, and its pre-data, post-data and
 * cut-over were run on real PostgreSQL 14 and 18 servers.
 */
import { describe, expect, it } from "vitest";
import { planSync, type Statement, type SyncPlan } from "../../src/ddl/plan.js";
import { DESTINATION_ROLES, FIXTURE } from "./plan-fixture.js";

const OPTIONS = {
  stagingPrefix: "_pgsync_stage_test",
  destinationRoles: DESTINATION_ROLES,
  missingFunctions: new Set<string>(),
  destinationSettings: new Set(["work_mem", "search_path"]),
  // The fixture's app.mode is an application setting, which a run copies only when asked to.
  copyDatabaseSettings: true,
};

const script = (statements: readonly Statement[]) =>
  `\n${statements.map((s) => `-- ${s.object}\n${s.sql};`).join("\n")}\n`;

/** What the load does per table, one line each. */
const loads = (plan: SyncPlan) =>
  `\n${plan.tables
    .map((t) =>
      [
        `${t.staging.schema}.${t.staging.name}: ${t.copyData ? `copy ${t.format} (${t.columns.join(", ")})` : "no data"}`,
        ...t.keyIndexes.map((i) => `  key index: ${i.sql}`),
        ...t.indexes.map((i) => `  index: ${i.sql}`),
        ...t.keys.map((k) => `  key: ${k.sql}`),
        ...t.keysInOne.map((k) => `  key in one task: ${k.sql}`),
        `  analyze: ${t.analyze ? (t.analyzeLast ? "last" : "after load") : "never"}`,
      ].join("\n"),
    )
    .join("\n")}\n`;

describe("planSync for PostgreSQL 14", () => {
  const plan = planSync(FIXTURE, { ...OPTIONS, targetMajor: 14 });

  it("stages the schema, then types, sequences, function, tables and view in dependency order", () => {
    expect(script(plan.preData)).toMatchInlineSnapshot(`
      "
      -- schema "app"
      CREATE SCHEMA "_pgsync_stage_test_1";
      -- type "app"."status"
      CREATE TYPE "_pgsync_stage_test_1"."status" AS ENUM ('new', 'paid');
      -- domain "app"."code"
      CREATE DOMAIN "_pgsync_stage_test_1"."code" AS character varying(8) CONSTRAINT "code_check" CHECK (((VALUE)::text ~ '^[A-Z]+$'::text));
      -- sequence "app"."customer_id_seq"
      CREATE SEQUENCE "_pgsync_stage_test_1"."customer_id_seq" AS integer START WITH 1 INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 CACHE 1 NO CYCLE;
      -- table "app"."customers"
      CREATE TABLE "_pgsync_stage_test_1"."customers" (
        "id" integer DEFAULT nextval('"_pgsync_stage_test_1".customer_id_seq'::regclass) NOT NULL,
        "email" text COLLATE "pg_catalog"."C"
      );
      -- table "app"."events"
      CREATE TABLE "_pgsync_stage_test_1"."events" (
        "at" date NOT NULL,
        "payload" jsonb
      ) PARTITION BY RANGE (at);
      -- table "app"."events_2024"
      CREATE TABLE "_pgsync_stage_test_1"."events_2024" PARTITION OF "_pgsync_stage_test_1"."events" FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
      -- table "app"."orders"
      CREATE TABLE "_pgsync_stage_test_1"."orders" (
        "id" bigint GENERATED ALWAYS AS IDENTITY (SEQUENCE NAME "_pgsync_stage_test_1"."orders_id_seq" START WITH 1 INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 CACHE 1 NO CYCLE) NOT NULL,
        "customer_id" integer NOT NULL,
        "status" "_pgsync_stage_test_1".status DEFAULT 'new'::"_pgsync_stage_test_1".status NOT NULL,
        "code" "_pgsync_stage_test_1".code,
        "qty" integer,
        "price" numeric(10,2),
        "total" numeric GENERATED ALWAYS AS (((qty)::numeric * price)) STORED
      );
      -- function "app"."order_count"(customer integer)
      CREATE OR REPLACE FUNCTION "_pgsync_stage_test_1".order_count(customer integer)
       RETURNS bigint
       LANGUAGE sql
       STABLE
      AS $function$SELECT count(*) FROM "_pgsync_stage_test_1".orders WHERE customer_id = customer$function$
      ;
      -- view "app"."order_totals"
      CREATE VIEW "_pgsync_stage_test_1"."order_totals" ("customer_id", "total") AS
       SELECT customer_id,
          sum(total) AS total
         FROM "_pgsync_stage_test_1".orders
        GROUP BY customer_id;
      -- sequence "app"."customer_id_seq"
      ALTER SEQUENCE "_pgsync_stage_test_1"."customer_id_seq" OWNED BY "_pgsync_stage_test_1"."customers"."id";
      "
    `);
  });

  it("loads each plain table, then builds its indexes (its keys' among them) and adds its keys; the partitioned table has none of its own", () => {
    expect(loads(plan)).toMatchInlineSnapshot(`
      "
      _pgsync_stage_test_1.customers: copy binary (id, email)
        key index: CREATE UNIQUE INDEX "customers_email_key" ON "_pgsync_stage_test_1"."customers" USING btree ("email") NULLS NOT DISTINCT
        key index: CREATE UNIQUE INDEX "customers_pkey" ON "_pgsync_stage_test_1"."customers" USING btree ("id")
        key: ALTER TABLE "_pgsync_stage_test_1"."customers" ADD CONSTRAINT "customers_email_key" UNIQUE USING INDEX "customers_email_key"
        key: ALTER TABLE "_pgsync_stage_test_1"."customers" ADD CONSTRAINT "customers_pkey" PRIMARY KEY USING INDEX "customers_pkey"
        key in one task: ALTER TABLE "_pgsync_stage_test_1"."customers" ADD CONSTRAINT "customers_email_key" UNIQUE NULLS NOT DISTINCT (email)
        key in one task: ALTER TABLE "_pgsync_stage_test_1"."customers" ADD CONSTRAINT "customers_pkey" PRIMARY KEY (id)
        analyze: after load
      _pgsync_stage_test_1.orders: copy text (id, customer_id, status, code, qty, price)
        key index: CREATE UNIQUE INDEX "orders_pkey" ON "_pgsync_stage_test_1"."orders" USING btree ("id")
        index: CREATE INDEX orders_status_idx ON "_pgsync_stage_test_1".orders USING btree (status)
        key: ALTER TABLE "_pgsync_stage_test_1"."orders" ADD CONSTRAINT "orders_qty_check" CHECK ((qty > 0))
        key: ALTER TABLE "_pgsync_stage_test_1"."orders" ADD CONSTRAINT "orders_pkey" PRIMARY KEY USING INDEX "orders_pkey"
        key in one task: ALTER TABLE "_pgsync_stage_test_1"."orders" ADD CONSTRAINT "orders_qty_check" CHECK ((qty > 0))
        key in one task: ALTER TABLE "_pgsync_stage_test_1"."orders" ADD CONSTRAINT "orders_pkey" PRIMARY KEY (id)
        analyze: after load
      _pgsync_stage_test_1.events: no data
        analyze: last
      _pgsync_stage_test_1.events_2024: copy binary (at, payload)
        index: CREATE INDEX events_2024_payload_idx ON "_pgsync_stage_test_1".events_2024 USING gin (payload)
        analyze: after load
      "
    `);
  });

  it("adds the foreign key between two plain tables during the load", () => {
    expect(script(plan.foreignKeys)).toMatchInlineSnapshot(`
      "
      -- constraint "orders_customer_id_fkey" on "app"."orders"
      ALTER TABLE "_pgsync_stage_test_1"."orders" ADD CONSTRAINT "orders_customer_id_fkey" FOREIGN KEY (customer_id) REFERENCES "_pgsync_stage_test_1".customers(id);
      "
    `);
  });

  it("builds the partitioned table's key and index, comments and sequence values after the load", () => {
    expect(script(plan.postData)).toMatchInlineSnapshot(`
      "
      -- constraint "events_pkey" on "app"."events"
      ALTER TABLE "_pgsync_stage_test_1"."events" ADD CONSTRAINT "events_pkey" PRIMARY KEY (at);
      -- index "app"."events_payload_idx"
      CREATE INDEX events_payload_idx ON ONLY "_pgsync_stage_test_1".events USING gin (payload);
      -- index "app"."events_2024_payload_idx"
      ALTER INDEX "_pgsync_stage_test_1"."events_payload_idx" ATTACH PARTITION "_pgsync_stage_test_1"."events_2024_payload_idx";
      -- comment on table app.orders
      COMMENT ON TABLE "_pgsync_stage_test_1".orders IS 'One row per order';
      -- comment on table column app.orders.status
      COMMENT ON COLUMN "_pgsync_stage_test_1".orders.status IS 'Where it''s at';
      -- sequence "app"."customer_id_seq"
      SELECT pg_catalog.setval('"_pgsync_stage_test_1"."customer_id_seq"'::pg_catalog.regclass, 3, true);
      -- sequence "app"."orders_id_seq"
      SELECT pg_catalog.setval('"_pgsync_stage_test_1"."orders_id_seq"'::pg_catalog.regclass, 1, false);
      "
    `);
  });

  it("sets the schema comment, database settings and privileges in the cut-over, without MAINTAIN", () => {
    expect(script(plan.cutover)).toMatchInlineSnapshot(`
      "
      -- function bodies
      SET LOCAL check_function_bodies = off;
      -- function "app"."order_count"(customer integer)
      CREATE OR REPLACE FUNCTION app.order_count(customer integer)
       RETURNS bigint
       LANGUAGE sql
       STABLE
      AS $function$SELECT count(*) FROM app.orders WHERE customer_id = customer$function$
      ;
      -- comment on schema app
      DO $pgsync$
      BEGIN
        IF pg_catalog.obj_description(pg_catalog.to_regnamespace('app')::oid, 'pg_namespace') IS DISTINCT FROM 'The shop''s tables' THEN
          COMMENT ON SCHEMA app IS 'The shop''s tables';
        END IF;
      EXCEPTION WHEN insufficient_privilege THEN
        RAISE WARNING 'comment on schema % not copied: %', 'app', SQLERRM;
      END $pgsync$;
      -- database setting app.mode
      DO $pgsync$
      BEGIN
        IF 'app.mode' LIKE '%.%' OR EXISTS (SELECT 1 FROM pg_catalog.pg_settings WHERE lower(name) = 'app.mode') THEN
          EXECUTE 'ALTER DATABASE ' || pg_catalog.quote_ident(pg_catalog.current_database()) || ' SET "app"."mode" = ''shop''';
        ELSE
          RAISE WARNING 'database setting % was not copied: this server does not have the parameter', 'app.mode';
        END IF;
      END
      $pgsync$;
      -- table "app"."orders"
      ALTER TABLE "app"."orders" OWNER TO "shop_owner";
      -- table "app"."orders"
      REVOKE ALL ON TABLE "app"."orders" FROM PUBLIC;
      -- table "app"."orders"
      REVOKE ALL ON TABLE "app"."orders" FROM "shop_owner";
      "
    `);
    expect(plan.warnings).toMatchInlineSnapshot(`
      [
        "privilege not copied: MAINTAIN on table "app"."orders": PostgreSQL 14 has no such privilege",
      ]
    `);
  });

  it("refuses UNIQUE NULLS NOT DISTINCT, which PostgreSQL 14 lacks", () => {
    expect(plan.refusals).toMatchInlineSnapshot(`
      [
        {
          "object": "constraint "customers_email_key" on "app"."customers"",
          "reason": "UNIQUE NULLS NOT DISTINCT needs PostgreSQL 15 or later",
        },
      ]
    `);
  });
});

describe("planSync for PostgreSQL 18", () => {
  const plan = planSync(FIXTURE, { ...OPTIONS, targetMajor: 18 });
  const plan14 = planSync(FIXTURE, { ...OPTIONS, targetMajor: 14 });

  it("renders the same pre-data, load and post-data as for 14", () => {
    expect(plan.preData).toEqual(plan14.preData);
    expect(plan.tables).toEqual(plan14.tables);
    expect(plan.foreignKeys).toEqual(plan14.foreignKeys);
    expect(plan.postData).toEqual(plan14.postData);
  });

  it("grants MAINTAIN in the cut-over, and refuses nothing", () => {
    expect(script(plan.cutover)).toMatchInlineSnapshot(`
      "
      -- function bodies
      SET LOCAL check_function_bodies = off;
      -- function "app"."order_count"(customer integer)
      CREATE OR REPLACE FUNCTION app.order_count(customer integer)
       RETURNS bigint
       LANGUAGE sql
       STABLE
      AS $function$SELECT count(*) FROM app.orders WHERE customer_id = customer$function$
      ;
      -- comment on schema app
      DO $pgsync$
      BEGIN
        IF pg_catalog.obj_description(pg_catalog.to_regnamespace('app')::oid, 'pg_namespace') IS DISTINCT FROM 'The shop''s tables' THEN
          COMMENT ON SCHEMA app IS 'The shop''s tables';
        END IF;
      EXCEPTION WHEN insufficient_privilege THEN
        RAISE WARNING 'comment on schema % not copied: %', 'app', SQLERRM;
      END $pgsync$;
      -- database setting app.mode
      DO $pgsync$
      BEGIN
        IF 'app.mode' LIKE '%.%' OR EXISTS (SELECT 1 FROM pg_catalog.pg_settings WHERE lower(name) = 'app.mode') THEN
          EXECUTE 'ALTER DATABASE ' || pg_catalog.quote_ident(pg_catalog.current_database()) || ' SET "app"."mode" = ''shop''';
        ELSE
          RAISE WARNING 'database setting % was not copied: this server does not have the parameter', 'app.mode';
        END IF;
      END
      $pgsync$;
      -- table "app"."orders"
      ALTER TABLE "app"."orders" OWNER TO "shop_owner";
      -- table "app"."orders"
      REVOKE ALL ON TABLE "app"."orders" FROM PUBLIC;
      -- table "app"."orders"
      REVOKE ALL ON TABLE "app"."orders" FROM "shop_owner";
      -- table "app"."orders"
      GRANT MAINTAIN ON TABLE "app"."orders" TO "maint";
      "
    `);
    expect(plan.warnings).toEqual([]);
    expect(plan.refusals).toEqual([]);
  });
});
