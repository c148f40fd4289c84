import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runSync } from "../src/pipeline/run.js";
import { verifyDatabases } from "../src/verify/compare.js";
import {
  type FreshDatabase,
  freshDatabase,
  type PgMajor,
  testMajors,
  withClient,
} from "./helpers/pg-servers.js";

const majors = testMajors();
const from = majors[majors.length - 1] as PgMajor;
const to = majors[0] as PgMajor;

const SEED = `
  CREATE TABLE accounts (id int PRIMARY KEY, owner text, balance numeric, tags text[], meta jsonb);
  INSERT INTO accounts SELECT g, 'owner ' || g, g * 1.5, ARRAY['a', 'b'], jsonb_build_object('g', g) FROM generate_series(1, 1000) g;
  CREATE TABLE notes (body text);
  INSERT INTO notes VALUES ('same'), ('same'), (NULL);`;

let source: FreshDatabase;
let destination: FreshDatabase;
beforeAll(async () => {
  source = await freshDatabase(from);
  destination = await freshDatabase(to);
  await withClient(source.url, (c) => c.query(SEED));
  const report = await runSync({ sourceUrl: source.url, destinationUrl: destination.url });
  expect(report.error).toBeUndefined();
});
afterAll(async () => {
  await Promise.all([source.drop(), destination.drop()]);
});

/** Applies a change to the destination, verifies, then undoes it. */
async function verifyWith(change: string, undo: string) {
  await withClient(destination.url, (c) => c.query(change));
  try {
    return await verifyDatabases({ sourceUrl: source.url, destinationUrl: destination.url });
  } finally {
    await withClient(destination.url, (c) => c.query(undo));
  }
}

describe(`verify (${from} -> ${to})`, () => {
  it("finds a copy identical, with checksums computed on both sides", async () => {
    const report = await verifyDatabases({ sourceUrl: source.url, destinationUrl: destination.url });
    expect(report.outcome).toBe("identical");
    expect(report.differences).toEqual([]);
    const accounts = report.tables.find((t) => t.table === '"public"."accounts"');
    expect(accounts?.sourceRows).toBe(1000);
    expect(accounts?.sourceChecksum).toMatch(/^-?\d+$/);
    expect(accounts?.destinationChecksum).toBe(accounts?.sourceChecksum);
  });

  it("catches a single changed value", async () => {
    const report = await verifyWith(
      "UPDATE accounts SET balance = balance + 0.01 WHERE id = 500",
      "UPDATE accounts SET balance = id * 1.5 WHERE id = 500",
    );
    expect(report.outcome).toBe("different");
    expect(report.differences).toEqual(['"public"."accounts": content differs (checksums do not match)']);
  });

  it("catches a missing row", async () => {
    const report = await verifyWith(
      "DELETE FROM notes WHERE body IS NULL",
      "INSERT INTO notes VALUES (NULL)",
    );
    expect(report.differences).toEqual(['"public"."notes": row count differs: source 3, destination 2']);
  });

  it("catches an extra row, even a duplicate of an existing one", async () => {
    const report = await verifyWith(
      "INSERT INTO notes VALUES ('same')",
      "DELETE FROM notes WHERE ctid = (SELECT max(ctid) FROM notes WHERE body = 'same')",
    );
    expect(report.differences).toEqual(['"public"."notes": row count differs: source 3, destination 4']);
  });

  it("catches swapped values that keep the row count (order-independent, content-sensitive)", async () => {
    const report = await verifyWith(
      "UPDATE accounts SET owner = CASE id WHEN 1 THEN 'owner 2' ELSE 'owner 1' END WHERE id IN (1, 2)",
      "UPDATE accounts SET owner = 'owner ' || id WHERE id IN (1, 2)",
    );
    expect(report.differences).toEqual(['"public"."accounts": content differs (checksums do not match)']);
  });

  it("names each schema object that differs", async () => {
    const report = await verifyWith(
      "CREATE INDEX accounts_owner_idx ON accounts (owner); ALTER TABLE notes ADD COLUMN extra int;",
      "DROP INDEX accounts_owner_idx; ALTER TABLE notes DROP COLUMN extra;",
    );
    expect(report.outcome).toBe("different");
    expect(report.differences).toContain(
      'index "public"."accounts_owner_idx": exists only on the destination',
    );
    expect(report.differences.some((d) => d.startsWith('table "public"."notes": differs'))).toBe(true);
  });

  it("says when it could not compare", async () => {
    const report = await verifyDatabases({
      sourceUrl: source.url,
      destinationUrl: destination.url.replace(/\/[^/]+$/, "/no_such_database"),
    });
    expect(report.outcome).toBe("error");
    expect(report.error).toContain("no_such_database");
  });
});
