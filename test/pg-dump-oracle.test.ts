import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runSync } from "../src/pipeline/run.js";
import { loadFixture } from "./helpers/fixtures.js";
import {
  createRole,
  type FreshDatabase,
  freshDatabase,
  type PgMajor,
  testMajors,
  withClient,
} from "./helpers/pg-servers.js";

/**
 * An independent oracle: Debian's pg_dump 15 reads servers up to version 15. For those pairs, the
 * schema-only dumps of source and destination must be equal, once comment, blank, SET, set_config and
 * \restrict lines (which differ by run) are removed. pgsync-ts itself never calls pg_dump.
 */
const PG_DUMP = "/usr/bin/pg_dump";
const run = promisify(execFile);

const majors = testMajors().filter((m) => m <= 15);
const pairs = majors.flatMap((a) => majors.map((b) => [a, b] as [PgMajor, PgMajor]));
const databases: FreshDatabase[] = [];

beforeAll(async () => {
  await Promise.all(
    majors.map((m) => createRole(m, "pgsync_fixture_reader", { password: "x", login: false })),
  );
});
afterAll(async () => {
  await Promise.all(databases.map((d) => d.drop()));
});

async function schemaDump(url: string): Promise<string[]> {
  const { stdout } = await run(
    PG_DUMP,
    ["--schema-only", "--no-owner", "--no-privileges", "--exclude-schema=_pgsync*", `--dbname=${url}`],
    { maxBuffer: 64 * 1024 * 1024 },
  );
  return stdout
    .split("\n")
    .filter((line) => line.trim() !== "")
    .filter((line) => !line.startsWith("--"))
    .filter((line) => !/^SET /.test(line) && !line.includes("set_config("))
    .filter((line) => !/^\\(un)?restrict /.test(line));
}

describe.runIf(pairs.length > 0)("pg_dump 15 sees the same schema", () => {
  it("pg_dump is installed (Debian's postgresql-client-15)", async () => {
    const { stdout } = await run(PG_DUMP, ["--version"]);
    expect(stdout).toMatch(/pg_dump \(PostgreSQL\) 15\./);
  });

  it.each(pairs)("after a sync from %i to %i", async (from, to) => {
    const source = await freshDatabase(from);
    const destination = await freshDatabase(to);
    databases.push(source, destination);
    await withClient(source.url, (c) => loadFixture(c, "schema-kinds.sql"));
    const report = await runSync({ sourceUrl: source.url, destinationUrl: destination.url });
    expect(report.error).toBeUndefined();
    const [expected, actual] = await Promise.all([schemaDump(source.url), schemaDump(destination.url)]);
    expect(expected.length).toBeGreaterThan(200);
    expect(actual).toEqual(expected);
  });
});
