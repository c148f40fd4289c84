/**
 * The service's HTTP endpoints, against a service running in this process (the library API behind
 * `serve`): /healthz follows the schedule, /metrics is Prometheus text (parsed here with a
 * Prometheus text-format parser) that agrees with the run history, / is the status page.
 */
import parsePrometheusTextFormat, { type PrometheusFamily } from "parse-prometheus-text-format";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { parseConfig } from "../src/config/index.js";
import { openHistory } from "../src/schedule/record-run.js";
import { type Service, startService } from "../src/schedule/service.js";
import {
  type FreshDatabase,
  freshDatabase,
  type PgMajor,
  testMajors,
  withClient,
} from "./helpers/pg-servers.js";
import { eventually } from "./helpers/serve-process.js";

// The service logs to this worker's stderr; only problems are of interest here.
process.env.PGSYNC_LOG_LEVEL = "warn";

const majors = testMajors();
const sourceMajor = majors[majors.length - 1] as PgMajor;
const destinationMajor = majors[0] as PgMajor;
const databases: FreshDatabase[] = [];
let service: Service | undefined;
afterAll(async () => {
  await service?.stop();
  await Promise.all(databases.map((d) => d.drop()));
});

async function fresh(m: PgMajor): Promise<FreshDatabase> {
  const db = await freshDatabase(m);
  databases.push(db);
  return db;
}

const scheduledSuccesses = (url: string, profile: string) =>
  withClient(url, async (c) => {
    if (!(await c.query("SELECT to_regclass('_pgsync.runs') AS t")).rows[0].t) return 0;
    return Number(
      (
        await c.query(
          "SELECT count(*) AS n FROM _pgsync.runs WHERE profile = $1 AND trigger = 'scheduled' AND status = 'succeeded'",
          [profile],
        )
      ).rows[0].n,
    );
  });

function sample(
  families: PrometheusFamily[],
  name: string,
  labels: Record<string, string>,
): number | undefined {
  const family = families.find((f) => f.name === name);
  const match = family?.metrics.find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v));
  return match?.value === undefined ? undefined : Number(match.value);
}

describe("HTTP endpoints", () => {
  it("/healthz follows the schedule, /metrics agrees with the run history, / lists the profiles", async () => {
    const testStart = Date.now();
    const source = await fresh(sourceMajor);
    const destination = await fresh(destinationMajor);
    const quietDestination = await fresh(destinationMajor);
    await withClient(source.url, (c) =>
      c.query(
        "CREATE TABLE items (id int PRIMARY KEY, name text); INSERT INTO items SELECT g, 'n' || g FROM generate_series(1, 500) g;",
      ),
    );
    const config = parseConfig({
      // No host: the endpoints bind to 127.0.0.1 unless http.host says otherwise.
      http: { port: 0 },
      shutdownGraceSeconds: 30,
      profiles: {
        often: {
          source: source.url,
          destination: destination.url,
          schedule: { cron: "*/2 * * * * *" },
          misfireGraceSeconds: 0,
          timeouts: { lockSeconds: 120 },
        },
        yearly: { source: source.url, destination: quietDestination.url, schedule: { cron: "0 3 1 1 *" } },
      },
    });
    // A skip is never the first write to a destination: until the first run creates the tool's
    // schema, skips are counted but not recorded. The history exists from the start here, so that
    // every skip (a slot can pass while the first run starts on a busy machine) is recorded.
    await (await openHistory(destination.url, 10)).close();
    service = await startService({ config, env: {}, profiles: ["often", "yearly"] });
    expect(service.http?.host).toBe("127.0.0.1");
    const base = `http://127.0.0.1:${service.http?.port}`;

    await eventually(
      async () => ((await scheduledSuccesses(destination.url, "often")) >= 2 ? true : undefined),
      "two scheduled runs",
    );
    // Healthy once a run has started for the newest due slot (a slot can briefly wait behind a run).
    const healthy = await eventually(async () => {
      const r = await fetch(`${base}/healthz`);
      return r.status === 200 ? r : undefined;
    }, "/healthz 200");
    expect(await healthy.json()).toMatchObject({
      ok: true,
      scheduler: "running",
      profiles: { often: { ok: true }, yearly: { ok: true, dueSlot: null } },
    });

    // A reader blocks the cut-over; slots keep passing without a run starting: unhealthy.
    const reader = new pg.Client({ connectionString: destination.url });
    await reader.connect();
    await reader.query("BEGIN");
    await reader.query("SELECT count(*) FROM items");
    const unhealthy = await eventually(async () => {
      const r = await fetch(`${base}/healthz`);
      return r.status === 503
        ? ((await r.json()) as { ok: boolean; profiles: Record<string, { ok: boolean }> })
        : undefined;
    }, "/healthz to report the overdue profile");
    expect(unhealthy.ok).toBe(false);
    expect(unhealthy.profiles.often?.ok).toBe(false);
    expect(unhealthy.profiles.yearly?.ok).toBe(true);
    await reader.query("COMMIT");
    await reader.end();
    await eventually(
      async () => ((await fetch(`${base}/healthz`)).status === 200 ? true : undefined),
      "/healthz to recover",
    );

    const live = await fetch(`${base}/metrics`);
    expect(live.status).toBe(200);
    expect(live.headers.get("content-type")).toContain("text/plain");
    const families = parsePrometheusTextFormat(await live.text());
    const types = Object.fromEntries(families.map((f) => [f.name, f.type]));
    expect(types).toMatchObject({
      pgsync_last_success_timestamp_seconds: "GAUGE",
      pgsync_last_run_duration_seconds: "GAUGE",
      pgsync_last_run_rows: "GAUGE",
      pgsync_last_run_bytes: "GAUGE",
      pgsync_runs_total: "COUNTER",
      pgsync_failures_total: "COUNTER",
      pgsync_skipped_runs_total: "COUNTER",
      pgsync_scheduler_up: "GAUGE",
    });
    expect(sample(families, "pgsync_scheduler_up", {})).toBe(1);
    expect(sample(families, "pgsync_last_run_rows", { profile: "often" })).toBe(500);
    expect(sample(families, "pgsync_last_run_bytes", { profile: "often" })).toBeGreaterThan(0);
    const lastSuccess = sample(families, "pgsync_last_success_timestamp_seconds", { profile: "often" }) ?? 0;
    expect(lastSuccess * 1000).toBeGreaterThanOrEqual(testStart);
    expect(lastSuccess * 1000).toBeLessThanOrEqual(Date.now());
    expect(sample(families, "pgsync_skipped_runs_total", { profile: "often" })).toBeGreaterThanOrEqual(0);
    expect(sample(families, "pgsync_failures_total", { profile: "often" })).toBe(0);
    expect(sample(families, "pgsync_runs_total", { profile: "yearly", outcome: "succeeded" })).toBe(0);
    expect(sample(families, "pgsync_last_run_rows", { profile: "yearly" })).toBeUndefined();
    expect(sample(families, "pgsync_next_run_timestamp_seconds", { profile: "yearly" })).toBe(
      Date.UTC(new Date().getUTCFullYear() + 1, 0, 1, 3) / 1000,
    );

    const page = await fetch(`${base}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toBe("text/html; charset=utf-8");
    const html = await page.text();
    expect(html).toContain('data-profile="often"');
    expect(html).toContain('data-profile="yearly"');
    // Server-rendered: no script, nothing loaded from elsewhere.
    expect(html).not.toMatch(/<script|src=|href=/i);
    expect(html).not.toContain(new URL(source.url).password);
    expect((await fetch(`${base}/nope`)).status).toBe(404);
    expect((await fetch(`${base}/healthz`, { method: "POST" })).status).toBe(405);

    // Once stopped, the counters match the history exactly.
    const stopping = service;
    service = undefined;
    await stopping.stop();
    const final = parsePrometheusTextFormat(await stopping.metrics.registry.metrics());
    expect(sample(final, "pgsync_runs_total", { profile: "often", outcome: "succeeded" })).toBe(
      await scheduledSuccesses(destination.url, "often"),
    );
    // Slots that could not start during the blocked run (no grace) were skipped: counted, not failed.
    const skippedRows = await withClient(destination.url, async (c) =>
      Number(
        (
          await c.query(
            "SELECT count(*) AS n FROM _pgsync.runs WHERE profile = 'often' AND status = 'skipped'",
          )
        ).rows[0].n,
      ),
    );
    expect(sample(final, "pgsync_skipped_runs_total", { profile: "often" })).toBe(skippedRows);
    expect(sample(final, "pgsync_failures_total", { profile: "often" })).toBe(0);
    expect(sample(final, "pgsync_scheduler_up", {})).toBe(0);
    await expect(fetch(`${base}/healthz`)).rejects.toThrow();
  });

  it("with http.token, / and /metrics need the bearer token; /healthz stays open", async () => {
    const source = await fresh(sourceMajor);
    const destination = await fresh(destinationMajor);
    const token = "St4tus-Page-Token";
    const config = parseConfig({
      http: { port: 0, token: { env: "PGSYNC_STATUS_TOKEN" } },
      profiles: {
        yearly: { source: source.url, destination: destination.url, schedule: { cron: "0 3 1 1 *" } },
      },
    });
    const tokenService = await startService({
      config,
      env: { PGSYNC_STATUS_TOKEN: token },
      profiles: ["yearly"],
    });
    try {
      const base = `http://127.0.0.1:${tokenService.http?.port}`;
      const get = (path: string, authorization?: string) =>
        fetch(`${base}${path}`, authorization ? { headers: { authorization } } : {});
      for (const path of ["/", "/metrics"]) {
        for (const authorization of [
          undefined,
          "Bearer wrong",
          `Bearer ${token}x`,
          `Basic ${token}`,
          token,
        ]) {
          const refused = await get(path, authorization);
          expect(refused.status, `${path} with ${authorization}`).toBe(401);
          expect(refused.headers.get("www-authenticate")).toBe('Bearer realm="pgsync-ts"');
          expect(await refused.text()).not.toContain(token);
        }
        expect((await get(path, `Bearer ${token}`)).status).toBe(200);
        expect((await get(path, `bearer  ${token}`)).status).toBe(200);
      }
      const page = await (await get("/", `Bearer ${token}`)).text();
      expect(page).toContain('data-profile="yearly"');
      expect(page).not.toContain(token);
      expect((await get("/healthz")).status).toBe(200);
    } finally {
      await tokenService.stop();
    }
  });

  it("refuses to start when http.token names an unset variable", async () => {
    const source = await fresh(sourceMajor);
    const config = parseConfig({
      http: { port: 0, token: { env: "PGSYNC_UNSET_TOKEN" } },
      profiles: { yearly: { source: source.url, destination: source.url, schedule: { cron: "0 3 1 1 *" } } },
    });
    await expect(startService({ config, env: {}, profiles: ["yearly"] })).rejects.toThrow(
      "http.token: environment variable PGSYNC_UNSET_TOKEN is not set",
    );
  });
});
