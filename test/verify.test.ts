import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runSync } from "../src/pipeline/run.js";
import { verifyDatabases } from "../src/verify/compare.js";
import { digestTable } from "../src/verify/digest.js";
import { runCli } from "./helpers/cli.js";
import {
  createRole,
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
  INSERT INTO notes VALUES ('same'), ('same'), (NULL);
  -- Rows of a partition and of an inheritance child hold columns they have from their parent only.
  CREATE TABLE readings (at timestamptz NOT NULL, value numeric) PARTITION BY RANGE (at);
  CREATE TABLE readings_2025 PARTITION OF readings FOR VALUES FROM ('2025-01-01 00:00+00') TO ('2026-01-01 00:00+00');
  INSERT INTO readings SELECT timestamptz '2025-03-01 12:00+00' + g * interval '1 hour', g FROM generate_series(1, 100) g;
  CREATE TABLE animals (name text, legs int);
  CREATE TABLE birds (wingspan int) INHERITS (animals);
  INSERT INTO birds VALUES ('swift', 2, 40), ('owl', 2, 100);
  CREATE MATERIALIZED VIEW rich AS SELECT id, owner FROM accounts WHERE balance > 1400;`;

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

/** The line of a content difference, with both checksums. */
const CHECKSUM = (table: string) =>
  new RegExp(
    `^${table.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: content checksum differs: source -?\\d+; destination -?\\d+$`,
  );

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
    expect(report.differences).toEqual([expect.stringMatching(CHECKSUM('"public"."accounts"'))]);
  });

  it("catches a missing row", async () => {
    const report = await verifyWith(
      "DELETE FROM notes WHERE body IS NULL",
      "INSERT INTO notes VALUES (NULL)",
    );
    expect(report.differences).toEqual(['"public"."notes": row count differs: source 3; destination 2']);
  });

  it("catches an extra row, even a duplicate of an existing one", async () => {
    const report = await verifyWith(
      "INSERT INTO notes VALUES ('same')",
      "DELETE FROM notes WHERE ctid = (SELECT max(ctid) FROM notes WHERE body = 'same')",
    );
    expect(report.differences).toEqual(['"public"."notes": row count differs: source 3; destination 4']);
  });

  it("catches swapped values that keep the row count (order-independent, content-sensitive)", async () => {
    const report = await verifyWith(
      "UPDATE accounts SET owner = CASE id WHEN 1 THEN 'owner 2' ELSE 'owner 1' END WHERE id IN (1, 2)",
      "UPDATE accounts SET owner = 'owner ' || id WHERE id IN (1, 2)",
    );
    expect(report.differences).toEqual([expect.stringMatching(CHECKSUM('"public"."accounts"'))]);
  });

  it("names each schema object that differs", async () => {
    const report = await verifyWith(
      "CREATE INDEX accounts_owner_idx ON accounts (owner); ALTER TABLE notes ADD COLUMN extra int;",
      "DROP INDEX accounts_owner_idx; ALTER TABLE notes DROP COLUMN extra;",
    );
    expect(report.outcome).toBe("different");
    expect(report.differences).toContainEqual(
      expect.stringMatching(/^index "public"."accounts_owner_idx": exists only on the destination/),
    );
    expect(report.differences).toContain(
      'table "public"."notes": columns["extra"] differs: source (none); destination {"name":"extra","type":"integer","binarySafe":true,"notNull":false}',
    );
  });

  it("catches a changed value in a partition, whose rows hold only columns of its parent", async () => {
    const report = await verifyWith(
      "UPDATE readings SET value = 5000 WHERE value = 50",
      "UPDATE readings SET value = 50 WHERE value = 5000",
    );
    expect(report.outcome).toBe("different");
    expect(report.differences).toEqual([expect.stringMatching(CHECKSUM('"public"."readings_2025"'))]);
  });

  it("catches a changed inherited value of an inheritance child", async () => {
    const report = await verifyWith(
      "UPDATE birds SET legs = 3 WHERE name = 'owl'",
      "UPDATE birds SET legs = 2 WHERE name = 'owl'",
    );
    expect(report.differences).toEqual([expect.stringMatching(CHECKSUM('"public"."birds"'))]);
  });

  it("catches different contents of a materialized view", async () => {
    // Refreshed over a changed row, which then changes back: only the view's rows differ.
    const report = await verifyWith(
      "UPDATE accounts SET owner = 'someone' WHERE id = 1000; REFRESH MATERIALIZED VIEW rich; UPDATE accounts SET owner = 'owner 1000' WHERE id = 1000",
      "REFRESH MATERIALIZED VIEW rich",
    );
    expect(report.differences).toEqual([expect.stringMatching(CHECKSUM('"public"."rich"'))]);
  });

  it("finds equal timestamptz data equal when the destination's sessions use another TimeZone", async () => {
    const setZone = (action: string) =>
      `DO $$ BEGIN EXECUTE format('ALTER ROLE %I IN DATABASE %I ${action}', current_user, current_database()); END $$`;
    const report = await verifyWith(setZone("SET TimeZone = ''Pacific/Chatham''"), setZone("RESET TimeZone"));
    expect(report.error).toBeUndefined();
    expect(report.outcome).toBe("identical");
    expect(report.notCarried).toContainEqual(
      expect.stringMatching(
        /^settings of role ".*" in the database: exists only on the destination: \{"TimeZone":"Pacific\/Chatham"\}$/,
      ),
    );
    // Not vacuous: the same rows digested with the session's own TimeZone (digest version 1) differ.
    await withClient(destination.url, (c) => c.query(setZone("SET TimeZone = ''Pacific/Chatham''")));
    try {
      const digest = (url: string, version: 1 | 2) =>
        withClient(url, async (c) => {
          await c.query("BEGIN");
          const relation = { schema: "public", name: "readings_2025" };
          return (await digestTable(c, relation, ["at", "value"], { checksum: true, version })).checksum;
        });
      expect(await digest(destination.url, 1)).not.toBe(await digest(source.url, 1));
      expect(await digest(destination.url, 2)).toBe(await digest(source.url, 2));
    } finally {
      await withClient(destination.url, (c) => c.query(setZone("RESET TimeZone")));
    }
  });

  it("compares owners and grants with --with-privileges only, and says so", async () => {
    const role = await createRole(to, "verify_other_owner", { password: "x", login: false });
    const change = `GRANT "${role.name}" TO current_user; ALTER TABLE notes OWNER TO "${role.name}"`;
    const undo = "ALTER TABLE notes OWNER TO current_user";
    const without = await verifyWith(change, undo);
    expect(without.outcome).toBe("identical");
    expect(without.notCompared).toContainEqual(
      expect.stringContaining("owners and grants (pass --with-privileges"),
    );
    await withClient(destination.url, (c) => c.query(change));
    try {
      const owner = await withClient(
        source.url,
        async (c) => (await c.query("SELECT current_user AS u")).rows[0].u,
      );
      const report = await verifyDatabases({
        sourceUrl: source.url,
        destinationUrl: destination.url,
        withPrivileges: true,
      });
      // (The copy was made without privileges: the public schema's grants differ between majors too.)
      expect(report.differences).toContain(
        `privileges on table public.notes: owner differs: source "${owner}"; destination "${role.name}"`,
      );
      expect(report.differences.filter((d) => d.includes("public.notes"))).toHaveLength(1);
      expect(report.checks).toContainEqual(expect.stringContaining("owners and grants"));
    } finally {
      await withClient(destination.url, (c) => c.query(undo));
    }
  });

  it("prints each difference on a line of its own, with both values; --json carries the same", async () => {
    await withClient(destination.url, (c) =>
      c.query(
        "ALTER TABLE accounts ALTER COLUMN owner SET DEFAULT 'nobody'; UPDATE notes SET body = 'other' WHERE body IS NULL",
      ),
    );
    try {
      const args = ["verify", "--from", source.url, "--to", destination.url];
      const [text, json] = await Promise.all([runCli(args), runCli([...args, "--json"])]);
      expect(text.code).toBe(1);
      expect(json.code).toBe(1);
      const report = JSON.parse(json.stdout);
      expect(report.differences).toEqual([
        `table "public"."accounts": columns["owner"].defaultExpr differs: source (none); destination "'nobody'::text"`,
        expect.stringMatching(CHECKSUM('"public"."notes"')),
      ]);
      expect(report.catalog).toEqual([
        {
          object: 'table "public"."accounts"',
          property: 'columns["owner"].defaultExpr',
          source: null,
          destination: "\"'nobody'::text\"",
        },
      ]);
      const diffLines = text.stdout.split("\n").filter((l) => l.startsWith("  DIFF "));
      expect(diffLines).toEqual(report.differences.map((d: string) => `  DIFF ${d}`));
      expect(text.stdout).toContain("DIFFERENT (2 differences)");
      // The summary names what it compared and what it did not.
      expect(text.stdout).toMatch(/\n {2}compared {5}catalog: every property of schemas/);
      expect(text.stdout).toMatch(/\n {2}not compared owners and grants/);
    } finally {
      await withClient(destination.url, (c) =>
        c.query(
          "ALTER TABLE accounts ALTER COLUMN owner DROP DEFAULT; UPDATE notes SET body = NULL WHERE body = 'other'",
        ),
      );
    }
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
