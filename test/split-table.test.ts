/**
 * Split tables: a table larger than `splitTablesLargerThan` is copied in ranges (by its integer
 * primary key, else by heap blocks), each on its own worker under the same snapshot. The copy must
 * hold exactly the source's rows and keys; every part must actually run (a uniform table's parts
 * each carry rows, and they add up to the table); a TOAST-heavy table is sized by its TOAST too; an
 * empty range is reported, not fatal; and a run killed while a split table is half loaded leaves
 * the destination as it was.
 */
import { describe, expect, it } from "vitest";
import type { RunEvent, RunReport, TableReport } from "../src/pipeline/options.js";
import { runSync } from "../src/pipeline/run.js";
import { captureState } from "./helpers/db-state.js";
import { databasesForThisFile, newestToOldest } from "./helpers/pairs.js";
import { type PgMajor, testMajors, withClient } from "./helpers/pg-servers.js";
import { pausedCli, toolSchemas, writeConfig } from "./helpers/safety-cli.js";

const fresh = databasesForThisFile();
const { from, to } = newestToOldest();

const SOURCE = `
CREATE TABLE public.orders (id bigint PRIMARY KEY, customer int NOT NULL, note text, at timestamptz NOT NULL);
INSERT INTO public.orders SELECT g, g % 97, 'order ' || g || repeat('x', g % 50), timestamptz '2025-01-01' + g * interval '1 minute'
FROM generate_series(1, 20000) g;
CREATE INDEX orders_customer_idx ON public.orders (customer, at);
-- No key: split by heap blocks. A few heap pages whose rows point at megabytes of TOAST.
CREATE TABLE public.documents (name text NOT NULL, body text NOT NULL);
ALTER TABLE public.documents ALTER COLUMN body SET STORAGE EXTERNAL;
INSERT INTO public.documents
SELECT 'doc ' || g, (SELECT string_agg(md5(g::text || '-' || i), '') FROM generate_series(1, 300) i)
FROM generate_series(1, 800) g;
CREATE UNIQUE INDEX documents_name_idx ON public.documents (name);
CREATE TABLE public.small (id int PRIMARY KEY, order_id bigint REFERENCES public.orders);
INSERT INTO public.small SELECT g, g * 3 FROM generate_series(1, 100) g;
ANALYZE;
`;

const LIMIT = 512 * 1024;

async function sizes(url: string, table: string): Promise<{ heap: number; total: number }> {
  return withClient(url, async (c) => {
    const r = await c.query(
      "SELECT pg_relation_size($1::regclass)::bigint AS heap, pg_table_size($1::regclass)::bigint AS total",
      [table],
    );
    return { heap: Number(r.rows[0].heap), total: Number(r.rows[0].total) };
  });
}

function tableOf(report: RunReport, name: string): TableReport {
  const t = report.tables.find((x) => x.table === name);
  if (!t) throw new Error(`no report for ${name}: ${report.tables.map((x) => x.table).join(", ")}`);
  return t;
}

describe(`split tables (PostgreSQL ${from} -> ${to})`, () => {
  it("copies a big table in key ranges and a TOAST-heavy one in block ranges, every part with rows", async () => {
    const source = await fresh(from);
    const destination = await fresh(to);
    await withClient(source.url, (c) => c.query(SOURCE));
    // Not vacuous: documents' heap is under the limit and only its TOAST puts it over.
    const docs = await sizes(source.url, "public.documents");
    expect(docs.heap).toBeLessThan(LIMIT);
    expect(docs.total).toBeGreaterThan(4 * LIMIT);

    const report = await runSync({
      sourceUrl: source.url,
      destinationUrl: destination.url,
      parallelism: 3,
      splitTablesLargerThan: LIMIT,
    });
    expect(report.error).toBeUndefined();
    expect(report.ok).toBe(true);

    const orders = tableOf(report, '"public"."orders"');
    expect(orders.parts?.map((p) => p.range)).toHaveLength(3);
    expect(orders.parts?.[0]?.range).toMatch(/^id from the lowest below \d+$/);
    for (const p of orders.parts ?? []) expect(p.rows, p.range).toBeGreaterThan(0);
    expect(orders.parts?.reduce((n, p) => n + p.rows, 0)).toBe(20000);
    expect(orders.rows).toBe(20000);
    expect(orders.destinationRows).toBe(20000);

    const documents = tableOf(report, '"public"."documents"');
    expect(documents.parts?.length).toBeGreaterThanOrEqual(2);
    expect(documents.parts?.[0]?.range).toMatch(/^blocks 0 below \d+$/);
    for (const p of documents.parts ?? []) expect(p.rows, p.range).toBeGreaterThan(0);
    expect(documents.parts?.reduce((n, p) => n + p.rows, 0)).toBe(800);

    // The small table is not split.
    expect(tableOf(report, '"public"."small"').parts).toBeUndefined();
    expect(report.warnings.filter((w) => w.includes("held no rows"))).toEqual([]);

    const [expected, actual] = await Promise.all([captureState(source.url), captureState(destination.url)]);
    expect(actual).toEqual(expected);
    expect(actual.rows["public.documents"]).toHaveLength(800);
  });

  it("reports a range that holds no rows, and still copies the table exactly", async () => {
    const source = await fresh(from);
    const destination = await fresh(to);
    // No key: block ranges. The first two thirds of the heap are emptied (and stay, as VACUUM
    // only gives back pages at the end), so the first ranges find nothing.
    await withClient(source.url, async (c) => {
      await c.query(`CREATE TABLE public.log (n int NOT NULL, line text NOT NULL);
        INSERT INTO public.log SELECT g, repeat(md5(g::text), 4) FROM generate_series(1, 9000) g;
        DELETE FROM public.log WHERE n <= 6000;`);
      await c.query("VACUUM public.log");
    });
    const report = await runSync({
      sourceUrl: source.url,
      destinationUrl: destination.url,
      parallelism: 3,
      splitTablesLargerThan: 256 * 1024,
    });
    expect(report.error).toBeUndefined();
    const log = tableOf(report, '"public"."log"');
    expect(log.parts).toHaveLength(3);
    expect(log.parts?.filter((p) => p.rows === 0).length).toBeGreaterThan(0);
    expect(log.rows).toBe(3000);
    expect(report.warnings.join("\n")).toMatch(
      /"public"\."log": \d of its 3 parts held no rows \(blocks 0 below/,
    );
    const [expected, actual] = await Promise.all([captureState(source.url), captureState(destination.url)]);
    expect(actual).toEqual(expected);
  });

  it("a run killed after one part committed leaves the old state, and the next run completes", async () => {
    const source = await fresh(from);
    const destination = await fresh(to);
    await withClient(source.url, (c) => c.query(SOURCE));
    const options = { sourceUrl: source.url, destinationUrl: destination.url, splitTablesLargerThan: LIMIT };
    const first = await runSync({ ...options, parallelism: 2 });
    expect(first.error).toBeUndefined();
    const old = await captureState(destination.url);
    await withClient(source.url, (c) =>
      c.query(
        "UPDATE public.orders SET note = 'changed' WHERE id % 10 = 0; DELETE FROM public.small WHERE id > 90",
      ),
    );
    const config = writeConfig({
      profiles: {
        split: {
          source: source.url,
          destination: destination.url,
          parallelism: 2,
          splitTablesLargerThan: "512kB",
        },
      },
    });
    const cli = await pausedCli(["run", "--profile", "split", "--config", config], "copy:table-loaded");
    cli.kill("SIGKILL");
    const exit = await cli.exited;
    expect(exit.signal).toBe("SIGKILL");
    // A part had committed into staging: the staging schemas are still there, the live ones untouched.
    expect(await toolSchemas(destination.url, "_pgsync_stage_")).not.toEqual([]);
    expect(await captureState(destination.url)).toEqual(old);

    const next = await runSync({ ...options, parallelism: 2 });
    expect(next.error).toBeUndefined();
    expect(next.leftoversCleaned.length).toBeGreaterThan(0);
    expect(tableOf(next, '"public"."orders"').parts).toHaveLength(2);
    expect(await captureState(destination.url)).toEqual(await captureState(source.url));
  });
});

const GIN_SOURCE = `
CREATE TABLE public.docs (id bigint PRIMARY KEY, at timestamptz NOT NULL, doc jsonb NOT NULL);
INSERT INTO public.docs
SELECT g, timestamptz '2025-01-01' + g * interval '1 minute',
       jsonb_build_object('id', g, 'kind', g % 7, 'ref', md5(g::text), 'tags', jsonb_build_array('t' || g % 13, 't' || g % 17),
                          'note', repeat(md5((g * 3)::text), 4))
FROM generate_series(1, 5000) g;
CREATE INDEX docs_doc_idx ON public.docs USING gin (doc);
ANALYZE public.docs;
`;

describe.each(testMajors().filter((m) => m >= 18))("parallel builds onto PostgreSQL %i", (major: PgMajor) => {
  it("gives the GIN build on the critical path parallel workers, and builds the same index", async () => {
    const source = await fresh(from);
    await withClient(source.url, (c) => c.query(GIN_SOURCE));
    const parallelOf = async (parallelBuilds: "auto" | "off") => {
      const destination = await fresh(major);
      const events: RunEvent[] = [];
      const report = await runSync({
        sourceUrl: source.url,
        destinationUrl: destination.url,
        parallelism: 2,
        parallelBuilds,
        onEvent: (e) => events.push(e),
      });
      expect(report.error).toBeUndefined();
      expect(await captureState(destination.url)).toEqual(await captureState(source.url));
      const gin = events.find(
        (e) => e.type === "task" && e.phase === "finished" && e.object === 'index "public"."docs_doc_idx"',
      );
      expect(gin).toBeDefined();
      return gin?.type === "task" ? gin.parallelWorkers : undefined;
    };
    // Its estimate (the jsonb is most of each row) outweighs everything beside it: a core would idle.
    expect(await parallelOf("auto")).toBe(1);
    expect(await parallelOf("off")).toBeUndefined();
  });
});
