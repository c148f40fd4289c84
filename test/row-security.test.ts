import { beforeAll, describe, expect, it } from "vitest";
import { runSync } from "../src/pipeline/run.js";
import { captureState } from "./helpers/db-state.js";
import { databasesForThisFile, newestToOldest } from "./helpers/pairs.js";
import { createRole, type FreshDatabase, withClient } from "./helpers/pg-servers.js";

const { from, to } = newestToOldest();
const fresh = databasesForThisFile();
let source: FreshDatabase;

beforeAll(async () => {
  await createRole(from, "rls_owner", { password: "owner-pw" });
  await createRole(from, "rls_bypass", { password: "bypass-pw", bypassrls: true });
  source = await fresh(from, { owner: "rls_owner" });
  await withClient(source.urlAs("rls_owner", "owner-pw"), (c) =>
    c.query(`
      CREATE TABLE secrets (id int PRIMARY KEY, tenant text NOT NULL, body text);
      INSERT INTO secrets SELECT g, CASE WHEN g % 2 = 0 THEN 'visible' ELSE 'hidden' END, 'row ' || g FROM generate_series(1, 100) g;
      ALTER TABLE secrets ENABLE ROW LEVEL SECURITY;
      ALTER TABLE secrets FORCE ROW LEVEL SECURITY;
      CREATE POLICY only_visible ON secrets USING (tenant = 'visible');
      GRANT USAGE ON SCHEMA public TO rls_bypass;
      GRANT SELECT ON secrets TO rls_bypass;`),
  );
});

describe(`row-level security never hides rows from the copy (${from} -> ${to})`, () => {
  it("a BYPASSRLS role copies every row of a forced-RLS table", async () => {
    const destination = await fresh(to);
    const report = await runSync({
      sourceUrl: source.urlAs("rls_bypass", "bypass-pw"),
      destinationUrl: destination.url,
    });
    expect(report.error).toBeUndefined();
    expect(report.tables).toEqual([
      expect.objectContaining({ table: '"public"."secrets"', rows: 100, destinationRows: 100 }),
    ]);
    await withClient(destination.url, async (c) => {
      const all = await c.query("SET row_security = off; SELECT count(*)::int AS n FROM secrets");
      expect((all as unknown as { rows: { n: number }[] }[])[1]?.rows[0]?.n).toBe(100);
      const flags = await c.query(
        "SELECT relrowsecurity, relforcerowsecurity FROM pg_class WHERE relname = 'secrets'",
      );
      expect(flags.rows[0]).toEqual({ relrowsecurity: true, relforcerowsecurity: true });
    });
  });

  it("the owner without BYPASSRLS gets an error that names the table, and nothing is written", async () => {
    const destination = await fresh(to);
    const before = await captureState(destination.url);
    const report = await runSync({
      sourceUrl: source.urlAs("rls_owner", "owner-pw"),
      destinationUrl: destination.url,
    });
    expect(report.ok).toBe(false);
    expect(String(report.error?.message)).toMatch(/secrets/);
    expect(String(report.error?.message)).toMatch(/row-level security/);
    expect(await captureState(destination.url)).toEqual(before);
  });
});

describe(`user triggers and RLS do not act on the rows being loaded (${from} -> ${to})`, () => {
  it("a trigger that rewrites rows on insert, on a table with RLS enabled, leaves the copied rows as on the source", async () => {
    const src = await fresh(from);
    const destination = await fresh(to);
    await withClient(src.url, (c) =>
      c.query(`
        CREATE TABLE items (id int PRIMARY KEY, name text NOT NULL, price numeric NOT NULL);
        INSERT INTO items SELECT g, 'item ' || g, g * 10 FROM generate_series(1, 50) g;
        CREATE FUNCTION shout() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN NEW.name := upper(NEW.name) || '!'; NEW.price := NEW.price * 100; RETURN NEW; END $$;
        CREATE TRIGGER items_shout BEFORE INSERT ON items FOR EACH ROW EXECUTE FUNCTION shout();
        ALTER TABLE items ENABLE ROW LEVEL SECURITY;
        CREATE POLICY cheap_only ON items USING (price < 100) WITH CHECK (price < 100);`),
    );
    const report = await runSync({ sourceUrl: src.url, destinationUrl: destination.url });
    expect(report.error).toBeUndefined();
    const [expected, actual] = await Promise.all([captureState(src.url), captureState(destination.url)]);
    expect(actual.rows).toEqual(expected.rows);
    expect(actual.rows["public.items"]).toContain('(1,"item 1",10)');
    // The trigger exists and works on the copy for new rows.
    await withClient(destination.url, async (c) => {
      const inserted = await c.query("INSERT INTO items VALUES (51, 'new', 1) RETURNING name, price");
      expect(inserted.rows[0]).toEqual({ name: "NEW!", price: "100" });
    });
  });
});
