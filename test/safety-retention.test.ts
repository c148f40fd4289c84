/**
 * Snapshot retention: per profile by age (7 days for backup, 3 for dev) and optionally by count; an
 * ad hoc run keeps one unless --keep says otherwise; pruning happens after a successful run (never
 * after a failed one) and with `snapshots --prune`; the space snapshots take is reported, with a
 * warning past (the snapshots the retention keeps + 1) times the live size.
 */
import { afterAll, describe, expect, it } from "vitest";
import { runSync } from "../src/pipeline/run.js";
import type { SnapshotRecord } from "../src/restore/meta.js";
import { snapshotsToPrune } from "../src/restore/retention.js";
import { runCli } from "./helpers/cli.js";
import {
  type FreshDatabase,
  freshDatabase,
  type PgMajor,
  testMajors,
  withClient,
} from "./helpers/pg-servers.js";
import { writeConfig } from "./helpers/safety-cli.js";

const majors = testMajors();
const major = majors[0] as PgMajor;
const databases: FreshDatabase[] = [];
afterAll(async () => {
  await Promise.all(databases.map((d) => d.drop()));
});
async function pair() {
  const source = await freshDatabase(major);
  const destination = await freshDatabase(major);
  databases.push(source, destination);
  await withClient(source.url, (c) =>
    c.query(
      "CREATE TABLE items (id int PRIMARY KEY, body text); INSERT INTO items SELECT g, repeat('x', 200) FROM generate_series(1, 2000) g;",
    ),
  );
  return { source, destination };
}
async function snapshotIds(url: string): Promise<string[]> {
  return withClient(url, async (c) => {
    const r = await c.query(
      "SELECT DISTINCT snapshot_id, min(taken_at) OVER (PARTITION BY snapshot_id) AS t FROM _pgsync.snapshots ORDER BY t DESC",
    );
    return r.rows.map((x) => x.snapshot_id as string);
  });
}
async function cliRun(args: string[], env: NodeJS.ProcessEnv = {}) {
  const result = await runCli(["run", ...args, "--json"], env);
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout);
}

describe("which snapshots a retention policy drops", () => {
  const now = new Date("2026-06-15T12:00:00Z");
  const snap = (id: string, daysAgo: number): SnapshotRecord => ({
    snapshotId: id,
    runId: id,
    takenAt: new Date(now.getTime() - daysAgo * 86_400_000),
    reason: "run",
    schemas: [],
    bytes: 0,
  });
  const all = [snap("a", 0.1), snap("b", 2), snap("c", 3.5), snap("d", 8), snap("e", 30)];
  it.each([
    [{ days: 7 }, ["d", "e"]],
    [{ days: 3 }, ["c", "d", "e"]],
    [{ days: 7, count: 2 }, ["c", "d", "e"]],
    [{ days: 36_500, count: 1 }, ["b", "c", "d", "e"]],
    [{ days: 36_500, count: 10 }, []],
  ])("%j drops %j", (retention, dropped) => {
    expect(snapshotsToPrune(all, retention, now).map((s) => s.snapshotId)).toEqual(dropped);
  });
});

describe(`retention on PostgreSQL ${major}`, () => {
  it("an ad hoc run keeps one snapshot, or --keep N", async () => {
    const { source, destination } = await pair();
    const args = ["--from", source.url, "--to", destination.url];
    const reports = [];
    for (let i = 0; i < 3; i++) reports.push(await cliRun(args));
    // After each successful run only its own snapshot remains.
    expect(await snapshotIds(destination.url)).toEqual([reports[2].snapshot.id]);
    expect(reports[2].prunedSnapshots).toEqual([reports[1].snapshot.id]);

    for (let i = 0; i < 3; i++) reports.push(await cliRun([...args, "--keep", "3"]));
    expect(await snapshotIds(destination.url)).toEqual([
      reports[5].snapshot.id,
      reports[4].snapshot.id,
      reports[3].snapshot.id,
    ]);

    // snapshots --prune applies the ad hoc default (1) or --keep.
    const keep2 = await runCli(["snapshots", "--to", destination.url, "--prune", "--keep", "2"]);
    expect(keep2.code).toBe(0);
    expect(keep2.stdout).toContain(`pruned ${reports[3].snapshot.id}`);
    expect(await snapshotIds(destination.url)).toEqual([reports[5].snapshot.id, reports[4].snapshot.id]);
    const keep1 = await runCli(["snapshots", "--to", destination.url, "--prune", "--json"]);
    expect(JSON.parse(keep1.stdout).pruned).toEqual([reports[4].snapshot.id]);
    expect(await snapshotIds(destination.url)).toEqual([reports[5].snapshot.id]);
    // What a pruned snapshot kept beside its schemas (the database's settings) goes with it.
    const settingsKept = await withClient(destination.url, async (c) =>
      (await c.query("SELECT snapshot_id FROM _pgsync.database_settings")).rows.map((r) => r.snapshot_id),
    );
    expect(settingsKept).toEqual([reports[5].snapshot.id]);
  });

  it("the built-in profiles prune by age: 7 days for backup, 3 for dev", async () => {
    const { source, destination } = await pair();
    for (let i = 0; i < 5; i++) {
      const r = await runSync({ sourceUrl: source.url, destinationUrl: destination.url });
      expect(r.error).toBeUndefined();
    }
    const ids = await snapshotIds(destination.url);
    expect(ids).toHaveLength(5);
    // Age them: newest now, then 1, 4, 8 and 10 days old.
    const ages = [0, 1, 4, 8, 10];
    await withClient(destination.url, async (c) => {
      for (const [i, id] of ids.entries())
        await c.query(
          `UPDATE _pgsync.snapshots SET taken_at = now() - interval '${ages[i]} days' WHERE snapshot_id = $1`,
          [id],
        );
    });
    const env = {
      PGSYNC_CONFIG: "",
      RAILWAY_DATABASE_URL: source.url,
      RAILWAY_BACKUP_DB_URL: destination.url,
      DATABASE_URL: destination.url,
    };
    const backup = await runCli(["snapshots", "--profile", "backup", "--prune", "--json"], env);
    expect(backup.code, backup.stderr).toBe(0);
    expect(JSON.parse(backup.stdout).pruned).toEqual([ids[3], ids[4]]);
    expect(await snapshotIds(destination.url)).toEqual(ids.slice(0, 3));

    const dev = await runCli(["snapshots", "--profile", "dev", "--prune"], env);
    expect(dev.code, dev.stderr).toBe(0);
    expect(dev.stdout).toContain(`pruned ${ids[2]}`);
    expect(dev.stdout).toContain("retention (profile dev): 3 day(s)");
    expect(await snapshotIds(destination.url)).toEqual(ids.slice(0, 2));
  });

  it("a profile's count is applied after each successful run, and never after a failed one", async () => {
    const { source, destination } = await pair();
    const config = writeConfig({
      profiles: {
        keep2: {
          source: source.url,
          destination: destination.url,
          retention: { days: 30, count: 2 },
          timeouts: { lockSeconds: 1 },
        },
      },
    });
    const reports = [];
    for (let i = 0; i < 4; i++) reports.push(await cliRun(["--profile", "keep2", "--config", config]));
    expect(await snapshotIds(destination.url)).toEqual([reports[3].snapshot.id, reports[2].snapshot.id]);

    // A run that fails (its cut-over cannot get its locks) prunes nothing.
    const { default: pg } = await import("pg");
    const reader = new pg.Client({ connectionString: destination.url });
    await reader.connect();
    await reader.query("BEGIN; SELECT count(*) FROM items");
    const failed = await runCli(["run", "--profile", "keep2", "--config", config]);
    await reader.query("COMMIT");
    await reader.end();
    expect(failed.code).toBe(1);
    expect(await snapshotIds(destination.url)).toEqual([reports[3].snapshot.id, reports[2].snapshot.id]);
  });

  it("reports the space snapshots take, and warns only past what the retention keeps", async () => {
    const { source, destination } = await pair();
    const runs = [];
    for (let i = 0; i < 5; i++)
      runs.push(await cliRun(["--from", source.url, "--to", destination.url, "--keep", "4"]));
    // Four full copies (the first run's snapshot, of the empty destination, is pruned): what --keep 4
    // asks for, so no warning.
    const last = runs[4];
    expect(last.snapshotStorage.snapshots).toBe(4);
    expect(last.snapshotStorage.expectedSnapshots).toBe(4);
    expect(last.snapshotStorage.liveBytes).toBeGreaterThan(400_000);
    expect(last.snapshotStorage.snapshotBytes).toBeGreaterThan(3 * last.snapshotStorage.liveBytes);
    expect(runs.flatMap((r) => r.warnings).filter((w: string) => w.includes("times the live size"))).toEqual(
      [],
    );

    // The live data shrinks to a twentieth: four copies of the larger state are more than (4 + 1)
    // times the live size now.
    await withClient(source.url, (c) => c.query("DELETE FROM items WHERE id > 100"));
    const shrunk = await cliRun(["--from", source.url, "--to", destination.url, "--keep", "4"]);
    const warning =
      /^the 4 snapshot\(s\) take .* more than 5 times the live size \(.*; the retention keeps at most 4, with no age limit: about 4 snapshot\(s\), each a full copy\)\. .*lower retention\.count or retention\.days/;
    expect(shrunk.warnings).toContainEqual(expect.stringMatching(warning));

    const listed = await runCli(["snapshots", "--to", destination.url, "--keep", "4"]);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/4 snapshot\(s\) take [\d.]+ MB; the live schemas take [\d.]+ kB/);
    expect(listed.stderr).toMatch(
      /^pgsync-ts: warning: the 4 snapshot\(s\) take .* more than 5 times the live size/m,
    );
    const json = JSON.parse((await runCli(["snapshots", "--to", destination.url, "--json"])).stdout);
    expect(json.snapshots).toHaveLength(4);
    for (const s of json.snapshots) expect(s.bytes).toBeGreaterThan(400_000);
    expect(json.storage.snapshotBytes).toBe(
      json.snapshots.reduce((n: number, s: { bytes: number }) => n + s.bytes, 0),
    );
  });
});
