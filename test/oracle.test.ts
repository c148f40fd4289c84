/**
 * The oracle (test/oracle) sees every property class: on a database holding one object of each kind
 * (test/fixtures/oracle-kinds.sql), each mutation below changes one property inside a transaction,
 * the fingerprint is taken in that transaction, and the difference from the untouched database must
 * name the mutation's class. Then the transaction is rolled back.
 */
import { readFileSync } from "node:fs";
import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MUTATIONS, type Mutation } from "./helpers/oracle-mutations.js";
import { databasesForThisFile } from "./helpers/pairs.js";
import { createRole, type PgMajor, sharedServer, testMajors, withClient } from "./helpers/pg-servers.js";
import {
  catalogFingerprint,
  dataFingerprint,
  diffClasses,
  diffFingerprints,
  isToolSchema,
  PROPERTY_CLASSES,
  type PropertyClassId,
} from "./oracle/index.js";

const ROLE = "oracle_grantee";
const FIXTURE = readFileSync(new URL("./fixtures/oracle-kinds.sql", import.meta.url), "utf8");
/** Classes no mutation can reach on this server, and why. */
const UNREACHABLE: Partial<Record<PropertyClassId, (major: number) => string | undefined>> = {
  "constraint.enforced": (major) => (major < 18 ? "NOT ENFORCED needs 18" : undefined),
  "constraint.not-null": (major) => (major < 17 ? "NOT NULL constraint rows need 17 (domains)" : undefined),
};

async function fingerprint(client: pg.Client): Promise<string[]> {
  return [
    ...(await catalogFingerprint(client, { privileges: true })),
    ...(await dataFingerprint(client, { privileges: true })),
  ];
}

const freshDatabase = databasesForThisFile();

describe.each(testMajors())("the oracle on PostgreSQL %i", (major: PgMajor) => {
  let url = "";
  let database = "";
  let baseline: string[] = [];
  const reachable = MUTATIONS.filter((m) => (m.since ?? 14) <= major);

  beforeAll(async () => {
    await createRole(major, ROLE, { password: "grantee-Pa55", login: false });
    const db = await freshDatabase(major);
    database = db.name;
    url = sharedServer(major).superuserUrl(db.name);
    await withClient(url, (c) => c.query(FIXTURE));
    baseline = await withClient(url, fingerprint);
  });

  afterAll(async () => {
    // A subscription would block DROP DATABASE; with slot_name = NONE it drops without connecting.
    if (url) await withClient(url, (c) => c.query("DROP SUBSCRIPTION IF EXISTS sub"));
  });

  /** Runs `sql` in a transaction, fingerprints inside it, rolls back; returns the classes that differ. */
  async function classesChangedBy(mutation: Mutation): Promise<string[]> {
    const sql = mutation.sql.replaceAll(":db", `"${database}"`).replaceAll(":role", ROLE);
    return withClient(url, async (client) => {
      await client.query("BEGIN");
      try {
        await client.query(`SET LOCAL search_path = public; ${sql}`);
        return diffClasses(diffFingerprints(baseline, await fingerprint(client)));
      } finally {
        await client.query("ROLLBACK");
        if (mutation.restore) await client.query(`SET search_path = public; ${mutation.restore}`);
      }
    });
  }

  it("prints the same fingerprint twice, each line tagged with a known class", async () => {
    const again = await withClient(url, fingerprint);
    expect(again).toEqual(baseline);
    expect(baseline.length).toBeGreaterThan(500);
    const known = new Set<string>(PROPERTY_CLASSES.map((c) => c.id));
    expect(baseline.filter((line) => !known.has(line.split("\t")[0] ?? ""))).toEqual([]);
  });

  it("has a mutation for every class it can reach here", () => {
    const mutated = new Set(reachable.map((m) => m.cls));
    const missing = PROPERTY_CLASSES.map((c) => c.id).filter(
      (id) => !mutated.has(id) && !UNREACHABLE[id]?.(major),
    );
    expect(missing).toEqual([]);
  });

  it.each(reachable.map((m) => [m.cls, m.sql, m] as const))(
    "sees %s change: %s",
    async (cls, _sql, mutation) => {
      expect(await classesChangedBy(mutation)).toContain(cls);
    },
  );

  it("leaves out the tool's schemas by their exact shapes only", async () => {
    expect(["_pgsync", "_pgsync_stage_0a1b2c3d_4", "_pgsync_stage_0a1b2c3d_lo"].every(isToolSchema)).toBe(
      true,
    );
    expect(isToolSchema("_pgsync_snap_20260101t120000z_0a1b2c3d_1")).toBe(true);
    expect(
      ["_pgsync_stagex", "_pgsync_stage_0a1b2c3d", "_pgsync_snap_x", "_pgsync2"].some(isToolSchema),
    ).toBe(false);
    const tool = await classesChangedBy({
      cls: "schema",
      sql: 'CREATE SCHEMA "_pgsync_stage_0a1b2c3d_1"; CREATE TABLE "_pgsync_stage_0a1b2c3d_1".t (a int);',
    });
    expect(tool).toEqual([]);
    const lookalike = await classesChangedBy({
      cls: "schema",
      sql: 'CREATE SCHEMA "_pgsync_stagex"; CREATE TABLE "_pgsync_stagex".t (a int);',
    });
    expect(lookalike).toEqual(expect.arrayContaining(["schema", "relation.kind", "data.row-count"]));
  });

  it("compares owners and grants only when asked to", async () => {
    const withoutPrivileges = await withClient(url, (c) => catalogFingerprint(c, {}));
    expect(withoutPrivileges.some((line) => line.startsWith("privilege."))).toBe(false);
    expect(baseline.some((line) => line.startsWith("privilege.owner\t"))).toBe(true);
  });

  it("restricts itself to the schemas asked for, without database-wide kinds", async () => {
    const lines = await withClient(url, async (c) => {
      await c.query("CREATE SCHEMA IF NOT EXISTS other; CREATE TABLE IF NOT EXISTS other.t (a int)");
      return catalogFingerprint(c, { schemas: ["other"], privileges: true });
    });
    expect(lines.some((line) => line.includes("other.t"))).toBe(true);
    expect(lines.some((line) => line.includes("public.base"))).toBe(false);
    expect(lines.some((line) => /^(cast|database|large-object|publication)\./.test(line))).toBe(false);
    await withClient(url, (c) => c.query("DROP SCHEMA other CASCADE"));
  });

  it("withholds the database settings the caller names", async () => {
    const lines = await withClient(url, async (c) => {
      await c.query("BEGIN");
      await c.query(`ALTER DATABASE "${database}" SET work_mem = '5MB'`);
      await c.query(`ALTER DATABASE "${database}" SET pgsync.role = 'production'`);
      const result = await catalogFingerprint(c, { withholdSettings: (name) => name.startsWith("pgsync.") });
      await c.query("ROLLBACK");
      return result.filter((line) => line.startsWith("database.setting\t"));
    });
    expect(lines.map((line) => line.split("\t")[2])).toEqual(["work_mem"]);
  });
});
