/**
 * The benchmark harness's own correctness (bench/): the dataset is what it claims and is the same
 * every time, the raw limit and pgsync-ts carry all of it, a differing copy is caught, and the
 * report's arithmetic and verdicts are right. No timings are asserted.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BENCH_FOREIGN_KEYS, BENCH_TABLES, benchRowCounts, datasetSql } from "../bench/dataset.js";
import type { Endpoint } from "../bench/pair.js";
import { readShape, shapeDifferences } from "../bench/pair.js";
import { rawCopy } from "../bench/raw-copy.js";
import {
  type MethodResult,
  median,
  type RunRecord,
  ratios,
  type ScaleResult,
  scaleMarkdown,
  summarize,
  summaryMarkdown,
  targets,
} from "../bench/report.js";
import { runSync } from "../src/pipeline/run.js";
import { captureState } from "./helpers/db-state.js";
import {
  type FreshDatabase,
  freshDatabase,
  type PgMajor,
  testMajors,
  withClient,
} from "./helpers/pg-servers.js";

const major = testMajors()[0] as PgMajor;

function endpointOf(url: string): { endpoint: Endpoint; password: string; database: string } {
  const u = new URL(url);
  return {
    endpoint: {
      host: u.hostname,
      port: Number(u.port),
      user: decodeURIComponent(u.username),
      pid: 0,
      url: () => url,
    },
    password: decodeURIComponent(u.password),
    database: decodeURIComponent(u.pathname.slice(1)),
  };
}

describe(`bench dataset and copies on PostgreSQL ${major}`, () => {
  const dbs: FreshDatabase[] = [];
  let source: FreshDatabase;
  beforeAll(async () => {
    source = await freshDatabase(major);
    dbs.push(source);
    await withClient(source.url, (c) => c.query(datasetSql(2)));
  });
  afterAll(async () => {
    await Promise.all(dbs.map((d) => d.drop()));
  });

  it("holds the planned rows, keys, indexes (a GIN among them) and foreign keys", async () => {
    const s = endpointOf(source.url);
    const shape = await readShape(s.endpoint, s.password, s.database);
    expect(shape.rows).toEqual(benchRowCounts(2));
    expect(Object.keys(shape.rows).sort()).toEqual(BENCH_TABLES.map((t) => t.name).sort());
    expect(shape.constraints.filter((c) => c.includes("FOREIGN KEY"))).toHaveLength(
      BENCH_FOREIGN_KEYS.length,
    );
    expect(shape.constraints.filter((c) => c.includes("PRIMARY KEY"))).toHaveLength(BENCH_TABLES.length);
    expect(shape.indexes.some((i) => i.startsWith("events_payload_idx:") && i.includes("USING gin"))).toBe(
      true,
    );
    expect(shape.indexes.some((i) => i.includes("WHERE active"))).toBe(true);
    const types = await withClient(source.url, (c) =>
      c.query<{ t: string }>(
        `SELECT DISTINCT format_type(atttypid, NULL) AS t FROM pg_attribute
          WHERE attrelid IN (SELECT oid FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind = 'r') AND attnum > 0`,
      ),
    );
    expect(types.rows.map((r) => r.t)).toEqual(
      expect.arrayContaining([
        "numeric",
        "jsonb",
        "text",
        "bytea",
        "uuid",
        "timestamp with time zone",
        "text[]",
      ]),
    );
  });

  it("is generated identically every time", async () => {
    const again = await freshDatabase(major);
    dbs.push(again);
    await withClient(again.url, (c) => c.query(datasetSql(2)));
    expect(await captureState(again.url)).toEqual(await captureState(source.url));
  });

  it("the raw limit copies every row, key and index, and a changed copy is reported", async () => {
    const target = await freshDatabase(major);
    dbs.push(target);
    const s = endpointOf(source.url);
    const d = endpointOf(target.url);
    const parts = await rawCopy(
      s.endpoint,
      d.endpoint,
      s.password,
      2,
      {},
      {
        source: s.database,
        destination: d.database,
      },
    );
    expect(Object.keys(parts)).toEqual(["copy and build", "foreign keys"]);
    expect(await captureState(target.url)).toEqual(await captureState(source.url));
    const expected = await readShape(s.endpoint, s.password, s.database);
    expect(shapeDifferences(expected, await readShape(d.endpoint, d.password, d.database))).toEqual([]);

    await withClient(target.url, (c) =>
      c.query("DELETE FROM account_tags WHERE account_id = 1; DROP INDEX accounts_email_idx"),
    );
    const differences = shapeDifferences(expected, await readShape(d.endpoint, d.password, d.database));
    expect(differences).toEqual([
      `table account_tags: source ${expected.rows.account_tags} rows, copy ${(expected.rows.account_tags as number) - 4}`,
      "index missing from the copy: accounts_email_idx: CREATE INDEX accounts_email_idx ON public.accounts USING btree (lower(email))",
    ]);
  });

  it("pgsync-ts carries the whole dataset", async () => {
    const target = await freshDatabase(major);
    dbs.push(target);
    const report = await runSync({ sourceUrl: source.url, destinationUrl: target.url, parallelism: 2 });
    expect(report.error).toBeUndefined();
    expect(report.verification?.ok).toBe(true);
    expect(await captureState(target.url)).toEqual(await captureState(source.url));
  });
});

const run = (seconds: number, rssKb: number | null = null): RunRecord => ({
  seconds,
  rssKb,
  parts: { a: seconds / 2 },
  foreignCpu: 0,
});

function method(id: MethodResult["id"], seconds: number[], rssKb: number | null): MethodResult {
  const runs = seconds.map((s) => run(s, rssKb));
  const summary = summarize(runs, 100e6);
  return { id, label: `${id} | label`, command: id, runs, ...(summary ? { median: summary } : {}) };
}

describe("bench report arithmetic", () => {
  it("takes medians of odd and even counts", () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(() => median([])).toThrow("median of no values");
  });

  it("summarizes runs: median time, MB/s from the data size, median and largest RSS", () => {
    const s = summarize([run(10, 100 * 1024), run(20, 300 * 1024), run(40, 200 * 1024)], 100e6);
    expect(s).toEqual({
      seconds: 20,
      mbPerSecond: 5,
      rssMb: 200,
      maxRssMb: 300,
      parts: { a: 10 },
    });
    expect(summarize([], 1)).toBeUndefined();
  });

  const methods = [
    method("pgsync-empty", [6, 6.5, 7], 200 * 1024),
    method("pgsync-resync", [8, 8, 8], 300 * 1024),
    method("dump-psql", [10, 10, 10], 10 * 1024),
    method("dump-restore-j", [7, 7.5, 8], 20 * 1024),
    method("replaced-resync", [20, 20, 20], 10 * 1024),
    method("raw-copy", [4, 4, 4], null),
  ];

  it("relates each pgsync-ts figure to each peer", () => {
    const r = ratios(methods);
    expect(r).toHaveLength(8);
    expect(r.find((x) => x.tool === "pgsync-empty" && x.peer === "dump-psql")).toEqual({
      tool: "pgsync-empty",
      peer: "dump-psql",
      time: 0.65,
      throughput: 1.538,
      rss: 20,
    });
    expect(r.find((x) => x.tool === "pgsync-resync" && x.peer === "raw-copy")?.rss).toBeNull();
  });

  it("judges the targets: at the limit is met, over it is missed, RSS must stay under", () => {
    const t = targets(methods, ratios(methods));
    expect(t.map((x) => [x.value, x.met])).toEqual([
      [0.65, true], // 6.5 / 10
      [0.867, false], // 6.5 / 7.5 > 0.8
      [0.4, true], // 8 / 20
      [300, false], // 300 MB >= 256 MB
    ]);
    const withoutPeers = methods.filter((m) => m.id.startsWith("pgsync"));
    expect(targets(withoutPeers, ratios(withoutPeers)).map((x) => x.met)).toEqual([null, null, null, false]);
  });

  const result = (scaleMb: number, factor: number): ScaleResult => ({
    schema: 1,
    date: "2026-01-01",
    scaleMb,
    publishable: true,
    machine: { cpus: 2, cpuModel: "cpu", memoryGb: 24, kernel: "k", node: "v20" },
    servers: { version: "15.18", settings: {} },
    pgDump: "pg_dump (PostgreSQL) 15.18",
    parallel: 2,
    runs: 3,
    warmup: 1,
    dataset: {
      rows: { t: 1 },
      dataBytes: scaleMb * 1e6,
      indexBytes: 0,
      databaseBytes: 0,
      generationSeconds: 0,
    },
    load: { before: [0.5, 0.5, 0.5], waitedSeconds: 0, quietBelow: 1, foreignCpu: 0.2, underLoad: true },
    methods: methods.map((m) =>
      method(
        m.id,
        m.runs.map((r) => r.seconds * factor),
        100 * 1024,
      ),
    ),
    ratios: [],
    targets: targets(methods, ratios(methods)),
  });

  it("writes Markdown that keeps pipes inside cells and says when it was measured under load", () => {
    const md = scaleMarkdown(result(1000, 1));
    expect(md).toContain("| dump-psql \\| label |");
    expect(md).toContain("**Measured under load**");
    expect(md).toContain("| 0.867 x | ≤ 0.8 x | **MISSED** |");
    expect(md).not.toContain("binding at the 1 GB scale");
    expect(scaleMarkdown(result(10, 1))).toContain("binding at the 1 GB scale");
  });

  it("judges growth across scales against 1.1 × the data's growth", () => {
    // 10x the data: pgsync-empty 10x the time (met), pgsync-resync 12x (missed).
    const small = result(100, 1);
    const large = result(1000, 10);
    const resync = large.methods.find((m) => m.id === "pgsync-resync") as MethodResult;
    const slower = method("pgsync-resync", [96, 96, 96], 100 * 1024);
    const md = summaryMarkdown([
      small,
      { ...large, methods: large.methods.map((m) => (m === resync ? slower : m)) },
    ]);
    expect(md).toContain("| 100 MB → 1 GB | pgsync-empty | 10.00x | 10.00x | ≤ 11.00x | met |");
    expect(md).toContain("| 100 MB → 1 GB | pgsync-resync | 10.00x | 12.00x | ≤ 11.00x | **MISSED** |");
  });
});
