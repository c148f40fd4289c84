import { describe, expect, it } from "vitest";
import { runSync } from "../src/pipeline/run.js";
import { captureState } from "./helpers/db-state.js";
import { databasesForThisFile, newestToOldest } from "./helpers/pairs.js";
import { withClient } from "./helpers/pg-servers.js";

const { from, to } = newestToOldest();
const fresh = databasesForThisFile();

const SOURCE = `
  CREATE SCHEMA app;
  CREATE TABLE app.users (id int PRIMARY KEY, name text);
  CREATE TABLE app.orders (id int PRIMARY KEY, user_id int REFERENCES app.users (id));
  CREATE TABLE app.audit (id serial PRIMARY KEY, what text);
  CREATE TABLE app.measurements (id int, at date NOT NULL) PARTITION BY RANGE (at);
  CREATE TABLE app.measurements_2024 PARTITION OF app.measurements FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
  CREATE TABLE public.settings (k text PRIMARY KEY, v text);
  INSERT INTO app.users SELECT g, 'u' || g FROM generate_series(1, 10) g;
  INSERT INTO app.orders SELECT g, 1 + g % 10 FROM generate_series(1, 30) g;
  INSERT INTO app.audit (what) SELECT 'event ' || g FROM generate_series(1, 5) g;
  INSERT INTO app.measurements VALUES (1, '2024-05-01');
  INSERT INTO public.settings VALUES ('a', 'b');`;

async function pair() {
  const source = await fresh(from);
  const destination = await fresh(to);
  await withClient(source.url, (c) => c.query(SOURCE));
  return { source, destination };
}

const tables = async (url: string) =>
  withClient(url, async (c) =>
    (
      await c.query(
        "SELECT n.nspname || '.' || c.relname AS t FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('r', 'p') AND n.nspname IN ('app', 'public') ORDER BY 1",
      )
    ).rows.map((r) => r.t as string),
  );

describe(`table selection (${from} -> ${to})`, () => {
  it("leaves out excluded tables with their partitions, and creates structure-only tables empty", async () => {
    const { source, destination } = await pair();
    const report = await runSync({
      sourceUrl: source.url,
      destinationUrl: destination.url,
      excludeTables: ["app.measurements"],
      structureOnly: ["app.audit"],
    });
    expect(report.error).toBeUndefined();
    expect(await tables(destination.url)).toEqual([
      "app.audit",
      "app.orders",
      "app.users",
      "public.settings",
    ]);
    const state = await captureState(destination.url);
    expect(state.rows["app.audit"]).toEqual([]);
    expect(state.rows["app.orders"]).toHaveLength(30);
  });

  it("with included tables, replaces only their schemas and leaves the others alone", async () => {
    const { source, destination } = await pair();
    await withClient(destination.url, (c) =>
      c.query("CREATE TABLE public.local_only (x int); INSERT INTO public.local_only VALUES (1);"),
    );
    const report = await runSync({
      sourceUrl: source.url,
      destinationUrl: destination.url,
      includeTables: ["app.users", "app.orders"],
      force: true,
    });
    expect(report.error).toBeUndefined();
    expect(await tables(destination.url)).toEqual(["app.orders", "app.users", "public.local_only"]);
  });

  it("refuses to leave out a table that a kept foreign key references, naming both", async () => {
    const { source, destination } = await pair();
    const report = await runSync({
      sourceUrl: source.url,
      destinationUrl: destination.url,
      excludeTables: ["app.users"],
    });
    expect(report.ok).toBe(false);
    expect(String(report.error?.message)).toContain(
      'constraint "orders_user_id_fkey" on "app"."orders": it references "app"."users", which the selection leaves out',
    );
    expect(await tables(destination.url)).toEqual([]);
  });

  it("refuses a foreign key to a table outside the synced schemas in the plan step, naming both", async () => {
    const { source, destination } = await pair();
    await withClient(source.url, (c) =>
      c.query(`CREATE SCHEMA billing;
               CREATE TABLE billing.customers (id int PRIMARY KEY);
               CREATE TABLE app.invoices (id int PRIMARY KEY, customer_id int REFERENCES billing.customers (id));`),
    );
    const report = await runSync({
      sourceUrl: source.url,
      destinationUrl: destination.url,
      schemas: ["app"],
    });
    expect(report.ok).toBe(false);
    expect(report.steps.find((s) => s.status === "failed")?.name).toBe("plan");
    expect(String(report.error?.message)).toContain(
      'constraint "invoices_customer_id_fkey" on "app"."invoices": it references "billing"."customers", which is outside the synced schemas; add its schema to the selection',
    );
    expect(await tables(destination.url)).toEqual([]);
    // With its schema in the selection, the same run goes through.
    const both = await runSync({
      sourceUrl: source.url,
      destinationUrl: destination.url,
      schemas: ["app", "billing"],
    });
    expect(both.error).toBeUndefined();
  });

  it("refuses names the source does not have, as a configuration error, before anything is written", async () => {
    const { source, destination } = await pair();
    const report = await runSync({
      sourceUrl: source.url,
      destinationUrl: destination.url,
      excludeTables: ["app.user"],
      structureOnly: ["app.audit"],
      includeTables: ["app.orders", "app.users"],
      schemas: ["pubilc"],
    });
    expect(report.ok).toBe(false);
    expect(report.error).toMatchObject({ kind: "config" });
    expect(String(report.error?.message)).toBe(
      "the selection names 2 things the source database does not have:\n" +
        "  schema pubilc (--schema, include.schemas): the source has no such schema; did you mean public?\n" +
        "  table app.user (--exclude-table, exclude.tables): the source has no such table; did you mean app.users?",
    );
    expect(report.steps.find((s) => s.name === "introspect")?.status).toBe("failed");
    expect(await tables(destination.url)).toEqual([]);
  });
});
