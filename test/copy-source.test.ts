/**
 * The COPY-source builder's statements, run on real servers: each filter reads exactly its rows, and a
 * computed column reads a value bound with set_config in the same transaction.
 */

import { Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type pg from "pg";
import { to as copyTo } from "pg-copy-streams";
import { describe, expect, it } from "vitest";
import { buildCopySource, type CopySourceSpec } from "../src/sql/copy-statements.js";
import { databasesForThisFile } from "./helpers/pairs.js";
import { testMajors, withClient } from "./helpers/pg-servers.js";

const database = databasesForThisFile();

async function readCopy(client: pg.Client, spec: CopySourceSpec): Promise<string[]> {
  const source = buildCopySource({ ...spec, forceText: true });
  await client.query("BEGIN");
  try {
    for (const s of source.setup) await client.query(s.text, [...s.values]);
    const chunks: Buffer[] = [];
    await pipeline(
      client.query(copyTo(source.sql)),
      new Writable({
        write(chunk: Buffer, _enc, done) {
          chunks.push(chunk);
          done();
        },
      }),
    );
    return Buffer.concat(chunks).toString("utf8").split("\n").filter(Boolean);
  } finally {
    await client.query("ROLLBACK");
  }
}

describe.each(testMajors())("PostgreSQL %i", (major) => {
  it("reads key ranges, block ranges and conditions that together cover the table exactly once", async () => {
    const db = await database(major);
    await withClient(db.url, async (client) => {
      await client.query(`CREATE TABLE parent (id int PRIMARY KEY, note text);
        CREATE TABLE "Big Table" (id bigint PRIMARY KEY, note text) WITH (fillfactor = 10);
        CREATE TABLE child () INHERITS (parent);
        INSERT INTO "Big Table" SELECT g, 'row ' || g FROM generate_series(1, 2000) g;
        INSERT INTO parent VALUES (1, 'parent');
        INSERT INTO child VALUES (2, 'child');`);
      const table = { schema: "public", name: "Big Table" };
      const columns = [
        { name: "id", binarySafe: true },
        { name: "note", binarySafe: true },
      ];
      const low = await readCopy(client, {
        table,
        columns,
        filters: [{ kind: "key-range", column: "id", to: 1000n }],
      });
      const high = await readCopy(client, {
        table,
        columns,
        filters: [{ kind: "key-range", column: "id", from: 1000n }],
      });
      expect(low).toHaveLength(999);
      expect(high).toHaveLength(1001);
      expect(new Set([...low, ...high]).size).toBe(2000);

      const pages = await client.query<{ n: number }>(
        `SELECT pg_relation_size('"Big Table"') / current_setting('block_size')::int AS n`,
      );
      const blocks = Number(pages.rows[0]?.n);
      expect(blocks).toBeGreaterThan(4);
      const half = Math.floor(blocks / 2);
      const first = await readCopy(client, {
        table,
        columns,
        filters: [{ kind: "block-range", fromBlock: 0, toBlock: half }],
      });
      const rest = await readCopy(client, {
        table,
        columns,
        filters: [{ kind: "block-range", fromBlock: half }],
      });
      expect(first.length).toBeGreaterThan(0);
      expect(rest.length).toBeGreaterThan(0);
      expect(first.length + rest.length).toBe(2000);
      expect(new Set([...first, ...rest]).size).toBe(2000);

      const even = await readCopy(client, {
        table,
        columns,
        filters: [
          { kind: "key-range", column: "id", from: 1n, to: 101n },
          { kind: "condition", sql: "t.id % 2 = 0" },
        ],
      });
      expect(even).toHaveLength(50);

      // A filtered read of a parent never includes its children's rows (they are read as their own tables).
      const parentOnly = await readCopy(client, {
        table: { schema: "public", name: "parent" },
        columns,
        filters: [{ kind: "condition", sql: "true" }],
      });
      expect(parentOnly).toEqual(["1\tparent"]);
    });
  });

  it("computes an expression on the source from a value bound in the same transaction", async () => {
    const db = await database(major);
    const key = `key-${major}-'quoted'`;
    await withClient(db.url, async (client) => {
      await client.query("CREATE TABLE users (id int PRIMARY KEY, email text)");
      await client.query("INSERT INTO users VALUES (1, 'ann@example.com'), (2, NULL)");
      const rows = await readCopy(client, {
        table: { schema: "public", name: "users" },
        columns: [
          { name: "id", binarySafe: true },
          {
            name: "email",
            binarySafe: true,
            expression: {
              sql: "pg_catalog.md5(pg_catalog.current_setting('pgsync.mask_key') || t.email)",
              type: "text",
            },
          },
        ],
        settings: { "pgsync.mask_key": key },
      });
      const expected = await client.query<{ h: string }>("SELECT md5($1 || 'ann@example.com') AS h", [key]);
      expect(rows).toEqual([`1\t${expected.rows[0]?.h}`, "2\t\\N"]);
    });
  });
});
