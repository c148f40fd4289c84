/**
 * The cost of masking: the same full sync between two PostgreSQL 15 servers (durable settings), of
 * the benchmark dataset, unmasked and masked, each onto an empty destination, alternating, `runs`
 * times. The masked run masks an email (keyed hash), a name (keyed pick), a text body (keyed hex
 * digest), a jsonb profile (fixed) and a timestamp (keyed shift): every masked value is computed
 * by the source inside its COPY, so the cost shows on the source's CPU.
 *
 * Usage: npx tsx bench/masking.ts [scaleMb=1000] [runs=2] [parallelism=2]
 */
import pg from "pg";
import { startPostgres } from "../src/embedded/server.js";
import type { RunOptions } from "../src/pipeline/run.js";
import { runSync } from "../src/pipeline/run.js";
import { datasetSql } from "./dataset.js";

const scaleMb = Number(process.argv[2] ?? 1000);
const runs = Number(process.argv[3] ?? 2);
const parallelism = Number(process.argv[4] ?? 2);

const MASKING: NonNullable<RunOptions["masking"]> = {
  key: { value: "benchmark-masking-key-0123456789" },
  rules: {
    "public.accounts.email": "email",
    "public.accounts.created_at": { "shift-days": 30 },
    "public.accounts.profile": { fixed: "{}" },
    "public.events.body": "hash",
    "public.products.name": "name",
  },
};

const source = await startPostgres({
  major: 15,
  fast: false,
  name: "bench-mask-src",
  settings: { shared_buffers: "256MB" },
});
const destination = await startPostgres({
  major: 15,
  fast: false,
  name: "bench-mask-dst",
  settings: { shared_buffers: "256MB", max_wal_size: "4GB" },
});
try {
  const c = new pg.Client({ connectionString: source.url() });
  await c.connect();
  await c.query(datasetSql(scaleMb));
  const size = (await c.query("SELECT pg_database_size(current_database()) AS b")).rows[0].b;
  await c.end();
  console.log(
    `dataset ${scaleMb} MB requested, database ${(Number(size) / 1e6).toFixed(0)} MB, parallelism ${parallelism}`,
  );
  const times: Record<"unmasked" | "masked", number[]> = { unmasked: [], masked: [] };
  for (let i = 0; i < runs; i++) {
    for (const mode of ["unmasked", "masked"] as const) {
      const d = new pg.Client({ connectionString: destination.url() });
      await d.connect();
      await d.query(
        "DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public; DROP SCHEMA IF EXISTS _pgsync CASCADE",
      );
      for (const r of (await d.query("SELECT nspname FROM pg_namespace WHERE nspname LIKE '\\_pgsync\\_%'"))
        .rows)
        await d.query(`DROP SCHEMA "${r.nspname}" CASCADE`);
      await d.query("CHECKPOINT");
      await d.end();
      const started = performance.now();
      const report = await runSync({
        sourceUrl: source.url(),
        destinationUrl: destination.url(),
        parallelism,
        retention: { days: 7, count: 1 },
        ...(mode === "masked" ? { masking: MASKING } : {}),
      });
      const seconds = (performance.now() - started) / 1000;
      if (!report.ok) throw new Error(`${mode} run failed: ${JSON.stringify(report.error)}`);
      times[mode].push(seconds);
      const copy = report.steps.find((s) => s.name === "copy-data")?.seconds;
      console.log(
        `${mode}: ${seconds.toFixed(1)}s (copy-data ${copy}s), ${(report.totals.bytes / 1e6).toFixed(0)} MB of COPY data, peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`,
      );
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
  const [u, m] = [median(times.unmasked), median(times.masked)];
  console.log(
    `median: unmasked ${u.toFixed(1)}s, masked ${m.toFixed(1)}s: masking costs ${(((m - u) / u) * 100).toFixed(0)}%`,
  );
} finally {
  await source.stop();
  await destination.stop();
}
