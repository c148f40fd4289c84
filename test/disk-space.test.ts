/**
 * The destination's free disk, where this process can read it (the server on this machine, a role
 * that may see data_directory), and the warning when it is below what the next run needs.
 */
import { execFileSync } from "node:child_process";
import pg from "pg";
import { describe, expect, it } from "vitest";
import { destinationFreeBytes, freeSpaceWarning } from "../src/restore/disk-space.js";
import { databasesForThisFile } from "./helpers/pairs.js";
import { type PgMajor, testMajors, withClient } from "./helpers/pg-servers.js";

const major = testMajors()[0] as PgMajor;
const fresh = databasesForThisFile();

async function freeBytesAs(url: string): Promise<number | undefined> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await destinationFreeBytes(client);
  } finally {
    await client.end();
  }
}

describe(`the destination's free disk (PostgreSQL ${major})`, () => {
  it("is read from the data directory of the server on this machine, as df reports it", async () => {
    const db = await fresh(major);
    const directory = await withClient(
      db.url,
      async (c) => (await c.query("SHOW data_directory")).rows[0].data_directory as string,
    );
    const free = await freeBytesAs(db.url);
    // df, not the same system call from this process: the figure moves with other writes, so within 5%.
    const df = Number(
      execFileSync("df", ["-B1", "--output=avail", directory], { encoding: "utf8" }).trim().split("\n")[1],
    );
    expect(free).toBeGreaterThan(0);
    expect(Math.abs((free as number) - df) / df).toBeLessThan(0.05);
  });

  it("is not read, without an error, for a role that may not see data_directory", async () => {
    const db = await fresh(major);
    const role = `disk_${process.pid}`;
    await withClient(db.url, (c) => c.query(`CREATE ROLE ${role} LOGIN PASSWORD 'pw'`));
    const url = new URL(db.url);
    url.username = role;
    url.password = "pw";
    expect(await freeBytesAs(url.toString())).toBeUndefined();
  });
});

describe("the free-space warning", () => {
  it("fires below the live size, which the next run's staging needs, and says what to change", () => {
    expect(freeSpaceWarning(undefined, 1000)).toBeUndefined();
    expect(freeSpaceWarning(5_000_000, 4_000_000)).toBeUndefined();
    expect(freeSpaceWarning(1_000_000, 4_000_000)).toMatch(
      /^the destination's disk has 1(\.0)? MB free, less than the live size \(4(\.0)? MB\) that the next run's staging needs: lower retention\.count or retention\.days, drop snapshots now with `pgsync-ts snapshots --prune`, or give the server more disk$/,
    );
  });
});
