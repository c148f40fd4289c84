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
  type FixedCostCommand,
  type MethodResult,
  median,
  type RunRecord,
  ratios,
  type ScaleResult,
  summarize,
  targets,
} from "../bench/report.js";
import { caseLabel, resultBaseName, scaleMarkdown, summaryMarkdown } from "../bench/report-markdown.js";
import { manyTableName } from "../bench/shape-many-tables.js";
import { SHAPES, shapeById } from "../bench/shapes.js";
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

/** A shape generated the way loadDataset does it: each script in its own transaction. */
async function generate(url: string, id: string, size: number) {
  const dataset = shapeById(id).dataset(size);
  await withClient(url, async (c) => {
    for (const script of dataset.scripts) await c.query(script);
  });
  return dataset;
}

const scalar = async (url: string, sql: string) =>
  withClient(url, async (c) => Number((await c.query<{ v: string }>(sql)).rows[0]?.v));

describe(`bench shapes on PostgreSQL ${major}`, () => {
  const dbs: FreshDatabase[] = [];
  const fresh = async () => {
    const db = await freshDatabase(major);
    dbs.push(db);
    return db;
  };
  afterAll(async () => {
    await Promise.all(dbs.map((d) => d.drop()));
  });

  /** The generated rows are the dataset's, and pgsync-ts and the raw limit copy all of it. */
  async function checkShape(id: string, size: number, copy: { raw: boolean }) {
    const source = await fresh();
    const dataset = await generate(source.url, id, size);
    const s = endpointOf(source.url);
    const shape = await readShape(s.endpoint, s.password, s.database);
    expect(shape.rows).toEqual(dataset.rows);
    const target = await fresh();
    const report = await runSync({ sourceUrl: source.url, destinationUrl: target.url, parallelism: 2 });
    expect(report.error).toBeUndefined();
    expect(report.verification?.ok).toBe(true);
    expect(await captureState(target.url)).toEqual(await captureState(source.url));
    if (copy.raw) {
      const raw = await fresh();
      const d = endpointOf(raw.url);
      await rawCopy(
        s.endpoint,
        d.endpoint,
        s.password,
        2,
        {},
        { source: s.database, destination: d.database },
        dataset,
      );
      expect(shapeDifferences(shape, await readShape(d.endpoint, d.password, d.database))).toEqual([]);
    }
    return { source, dataset, shape };
  }

  it("dominant: about 80% of the data in one table, a GIN on its jsonb of the stated size, B-trees", async () => {
    const { source, shape } = await checkShape("dominant", 3, { raw: true });
    const share = await scalar(
      source.url,
      `SELECT pg_table_size('documents') / sum(pg_table_size(c.oid))::float8 AS v
         FROM pg_class c WHERE relnamespace = 'public'::regnamespace AND relkind = 'r'`,
    );
    expect(share).toBeGreaterThan(0.7);
    expect(share).toBeLessThan(0.9);
    // "about 600 bytes a row" in the shape's description.
    const jsonb = await scalar(source.url, "SELECT avg(pg_column_size(doc)) AS v FROM documents");
    expect(jsonb).toBeGreaterThan(450);
    expect(jsonb).toBeLessThan(750);
    expect(
      shape.indexes.some((i) => i.startsWith("documents_doc_idx:") && i.includes("USING gin (doc)")),
    ).toBe(true);
    expect(shape.indexes.filter((i) => i.startsWith("documents_") && i.includes("USING btree"))).toHaveLength(
      2,
    );
    expect(shape.constraints.filter((c) => c.includes("FOREIGN KEY"))).toHaveLength(3);
  });

  it("many tables: each with a primary key and a foreign key to the one before it", async () => {
    const { shape } = await checkShape("many-tables", 30, { raw: true });
    expect(Object.keys(shape.rows)).toHaveLength(30);
    expect(shape.constraints.filter((c) => c.includes("PRIMARY KEY"))).toHaveLength(30);
    const fks = shape.constraints.filter((c) => c.includes("FOREIGN KEY"));
    expect(fks).toHaveLength(29);
    expect(fks).toContain(
      `${manyTableName(7)}_parent_fkey: FOREIGN KEY (parent_id) REFERENCES ${manyTableName(6)}(id)`,
    );
  });

  it("wide TOAST: the bytes live in TOAST, a 16 kB bytea and a text of about 9 kB a row", async () => {
    const { source } = await checkShape("wide-toast", 3, { raw: false });
    const toast = await scalar(
      source.url,
      "SELECT pg_relation_size(reltoastrelid)::float8 / pg_relation_size(oid) AS v FROM pg_class WHERE relname = 'attachments'",
    );
    expect(toast).toBeGreaterThan(5);
    expect(await scalar(source.url, "SELECT min(length(data)) AS v FROM attachments")).toBe(16000);
    const text = await scalar(source.url, "SELECT avg(octet_length(body)) AS v FROM attachments");
    expect(text).toBeGreaterThan(8000);
    expect(text).toBeLessThan(10000);
  });

  it("seed: about 1 MB in three tables", async () => {
    const { source, shape } = await checkShape("seed", 1, { raw: true });
    expect(Object.keys(shape.rows).sort()).toEqual(["customers", "order_lines", "orders"]);
    const bytes = await scalar(
      source.url,
      "SELECT sum(pg_table_size(oid)) AS v FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind = 'r'",
    );
    expect(bytes).toBeGreaterThan(0.5e6);
    expect(bytes).toBeLessThan(2e6);
  });

  it("every shape is generated identically every time", async () => {
    for (const id of ["dominant", "many-tables", "wide-toast", "seed"]) {
      const [a, b] = [await fresh(), await fresh()];
      const size = id === "many-tables" ? 5 : 1;
      await generate(a.url, id, size);
      await generate(b.url, id, size);
      expect(await captureState(b.url)).toEqual(await captureState(a.url));
    }
  });
});

const run = (seconds: number, rssKb: number | null = null): RunRecord => ({
  seconds,
  rssKb,
  parts: { a: seconds / 2 },
  foreignCpu: 0,
});

/** A method's result from these runs, summarized over 100 MB. */
function measured(id: MethodResult["id"], runs: RunRecord[]): MethodResult {
  return {
    id,
    label: id,
    command: id,
    runs,
    median: summarize(runs, 100e6) as NonNullable<MethodResult["median"]>,
  };
}

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
      rounds: 0,
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

  it("takes the ratio round by round, then the median: a slow round of one method does not skew it", () => {
    const rounds = (id: MethodResult["id"], seconds: number[]): MethodResult =>
      measured(
        id,
        seconds.map((x, i) => ({ ...run(x), round: i + 1 })),
      );
    // Round 3 was slow for both (other work on the machine): per round 0.5, 0.5, 0.8.
    const r = ratios([rounds("pgsync-empty", [5, 6, 16]), rounds("pgcopydb", [10, 12, 20])]);
    expect(r).toEqual([
      { tool: "pgsync-empty", peer: "pgcopydb", time: 0.5, throughput: 2, rss: null, rounds: 3 },
    ]);
    // The ratio of the medians would have said 6 / 12 as well, but not for these:
    const skewed = ratios([rounds("pgsync-empty", [5, 12, 6]), rounds("pgcopydb", [10, 24, 30])]);
    expect(skewed[0]?.time).toBe(0.5);
  });

  it("gives the tool's CPU seconds, and per GB of table data", () => {
    const s = summarize(
      [1, 2, 3].map((cpu) => ({ ...run(10), cpuSeconds: cpu })),
      500e6,
    );
    expect(s?.cpuSeconds).toBe(2);
    expect(s?.cpuSecondsPerGb).toBe(4);
    expect(summarize([run(10)], 1e6)?.cpuSeconds).toBeUndefined();
  });

  it("judges the many-tables and fixed-cost targets", () => {
    const many = [
      method("pgsync-empty", [9], null),
      method("dump-psql", [10], null),
      method("pgcopydb", [9], null),
    ];
    const t = targets(many, ratios(many), { shape: "many-tables" });
    expect(t.slice(4).map((x) => [x.name, x.value, x.met])).toEqual([
      ["many tables: a full sync faster than pg_dump | psql", 0.9, true],
      ["many tables: a full sync faster than pgcopydb clone", 1, false],
    ]);
    const fixed = (id: string, median: number): FixedCostCommand => ({
      id,
      command: id,
      runs: 10,
      median,
      min: median,
      max: median,
    });
    const seed = targets([], [], {
      shape: "seed",
      fixedCost: [
        fixed("node -e 0", 0.05),
        fixed("pgsync-ts --help", 0.11),
        fixed("pgsync-ts run (empty destination)", 0.52),
      ],
    });
    expect(seed.slice(4).map((x) => [x.value, x.limit, x.met])).toEqual([
      [0.52, 0.5, false],
      [0.06, 0.06, true],
    ]);
  });

  it("takes a run stopped at the time limit as a bound, and judges a target only where the bound decides", () => {
    const stopped = (id: MethodResult["id"], seconds: number) =>
      measured(id, [{ ...run(seconds), round: 1, stopped: "time" as const }]);
    const finished = (id: MethodResult["id"], seconds: number) =>
      measured(id, [{ ...run(seconds), round: 1 }]);
    // pgcopydb stopped after 300 s: pgsync-ts's 60 s is at most 0.2 of its time, faster for sure.
    // pg_dump | psql finished in 50 s, pgsync-ts in 60: slower, no bound.
    const many = [finished("pgsync-empty", 60), finished("dump-psql", 50), stopped("pgcopydb", 300)];
    const r = ratios(many);
    expect(r.find((x) => x.peer === "pgcopydb")).toMatchObject({ time: 0.2, bound: "at most" });
    expect(r.find((x) => x.peer === "dump-psql")?.bound).toBeUndefined();
    const t = targets(many, r, { shape: "many-tables" });
    expect(t.slice(4).map((x) => [x.value, x.met, x.bound])).toEqual([
      [1.2, false, undefined],
      [0.2, true, "at most"],
    ]);
    // A bound that does not decide is not judged: stopped at 30 s, pgsync-ts took 60 (ratio at most 2).
    const early = [finished("pgsync-empty", 60), stopped("pgcopydb", 30)];
    expect(targets(early, ratios(early), { shape: "many-tables" })[5]).toMatchObject({
      met: null,
      bound: "at most",
    });
    // pgsync-ts stopped: its ratio is a lower bound, which decides only a miss.
    const slow = [stopped("pgsync-empty", 30), finished("dump-psql", 20)];
    expect(targets(slow, ratios(slow), { shape: "many-tables" })[4]).toMatchObject({
      met: false,
      bound: "at least",
    });
    const md = scaleMarkdown({
      ...result(10, 1),
      shape: "many-tables",
      methods: many,
      ratios: r,
      targets: t,
    });
    expect(md).toContain("> 300.00 (stopped unfinished)");
    expect(md).toContain("300.00 stopped (time limit)");
    expect(md).toContain("≤ 0.200 x");
  });

  it("names each shape's results and says where pgsync-ts's time went when a target is missed", () => {
    const shaped: ScaleResult = {
      ...result(10, 1),
      shape: "many-tables",
      size: 10000,
      sizeUnit: "tables",
      description: shapeById("many-tables").describe(10000),
      methods: [
        {
          ...method("pgsync-empty", [12], null),
          median: {
            ...(method("pgsync-empty", [12], null).median as NonNullable<MethodResult["median"]>),
            steps: { "copy-data": 9, plan: 2 },
          },
        },
        method("pgcopydb", [10], null),
      ],
    };
    const withTargets = {
      ...shaped,
      targets: targets(shaped.methods, ratios(shaped.methods), { shape: "many-tables" }),
    };
    expect(caseLabel(withTargets)).toBe("many-tables 10,000 tables");
    expect(resultBaseName(withTargets)).toBe("2026-01-01-many-tables-10000tables");
    const md = scaleMarkdown(withTargets);
    expect(md).toContain("Shape: many-tables: 10,000 small tables");
    expect(md).toContain(
      "| many tables: a full sync faster than pgcopydb clone | 1.200 x | < 1 x | **MISSED** |",
    );
    expect(md).toContain(
      "Where pgsync-ts's time went (median, empty destination): copy-data 9.00 s, plan 2.00 s",
    );
    expect(summaryMarkdown([withTargets])).toContain(
      "[many-tables 10,000 tables](2026-01-01-many-tables-10000tables.md)",
    );
    expect(SHAPES.map((x) => x.id)).toEqual(["standard", "dominant", "many-tables", "wide-toast", "seed"]);
  });
});
