/**
 * Measures a full sync between two PostgreSQL 15 servers (durable settings) at several pool sizes,
 * with the peak RSS of this process. Usage: npx tsx bench/parallel-load.ts [scaleMb=300] [pools=1,2,4]
 */
import pg from "pg";
import { startPostgres } from "../src/embedded/server.js";
import { runSync } from "../src/pipeline/run.js";
import { datasetSql } from "./dataset.js";

const scaleMb = Number(process.argv[2] ?? 300);
const pools = (process.argv[3] ?? "1,2,4").split(",").map(Number);

const source = await startPostgres({
  major: 15,
  fast: false,
  name: "bench-src",
  settings: { shared_buffers: "256MB" },
});
const destination = await startPostgres({
  major: 15,
  fast: false,
  name: "bench-dst",
  settings: { shared_buffers: "256MB", max_wal_size: "4GB" },
});
try {
  const c = new pg.Client({ connectionString: source.url() });
  await c.connect();
  const t0 = performance.now();
  await c.query(datasetSql(scaleMb));
  const size = (await c.query("SELECT pg_database_size(current_database()) AS b")).rows[0].b;
  await c.end();
  console.log(
    `dataset ${scaleMb} MB requested, database ${(Number(size) / 1e6).toFixed(0)} MB, generated in ${((performance.now() - t0) / 1000).toFixed(1)}s`,
  );
  for (const parallelism of pools) {
    for (const pass of ["empty destination", "re-sync"] as const) {
      if (pass === "empty destination") {
        const d = new pg.Client({ connectionString: destination.url() });
        await d.connect();
        await d.query(
          "DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public; DROP SCHEMA IF EXISTS _pgsync CASCADE",
        );
        for (const r of (await d.query("SELECT nspname FROM pg_namespace WHERE nspname LIKE '\\_pgsync\\_%'"))
          .rows) {
          await d.query(`DROP SCHEMA "${r.nspname}" CASCADE`);
        }
        await d.end();
      }
      const started = performance.now();
      const report = await runSync({
        sourceUrl: source.url(),
        destinationUrl: destination.url(),
        parallelism,
        retention: { days: 7, count: 1 },
      });
      const seconds = (performance.now() - started) / 1000;
      const steps = report.steps
        .filter((s) => s.seconds > 0.05)
        .map((s) => `${s.name} ${s.seconds}s`)
        .join(", ");
      console.log(
        `parallelism ${parallelism}, ${pass}: ${report.ok ? "ok" : `FAILED ${JSON.stringify(report.error)}`} ${seconds.toFixed(1)}s, ` +
          `${(report.totals.bytes / 1e6 / seconds).toFixed(1)} MB/s of COPY data, peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB | ${steps}`,
      );
    }
  }
} finally {
  await source.stop();
  await destination.stop();
}
