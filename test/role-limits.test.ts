/**
 * Limits a provider sets on the role: 1-second statement_timeout, lock_timeout,
 * idle_in_transaction_session_timeout (and transaction_timeout on 17+) must not cut a copy that
 * takes longer, and the worker pool must fit max_connections and the role's CONNECTION LIMIT.
 */
import { afterAll, describe, expect, it } from "vitest";
import { runSync } from "../src/pipeline/run.js";
import type { FaultPoint } from "../src/pipeline/step-runner.js";
import { hasFeature } from "../src/sql/features.js";
import { captureState } from "./helpers/db-state.js";
import {
  createRole,
  type EmbeddedServer,
  type FreshDatabase,
  freshDatabase,
  type PgMajor,
  sharedServer,
  startPostgres,
  testMajors,
  withClient,
} from "./helpers/pg-servers.js";

const databases: FreshDatabase[] = [];
const servers: EmbeddedServer[] = [];
afterAll(async () => {
  await Promise.all(databases.map((d) => d.drop()));
  await Promise.all(servers.map((s) => s.stop()));
});

// In a schema of its own: the run is limited to it, so that the public schema (owned by the
// bootstrap superuser before PostgreSQL 15) stays out of a non-superuser's run.
const SEED = `
  CREATE SCHEMA shop;
  CREATE TABLE shop.orders (id int PRIMARY KEY, customer text NOT NULL, total numeric(12,2));
  INSERT INTO shop.orders SELECT g, 'customer ' || (g % 97), g * 1.25 FROM generate_series(1, 5000) g;
  CREATE TABLE shop.lines (order_id int REFERENCES shop.orders, n int, sku text, PRIMARY KEY (order_id, n));
  INSERT INTO shop.lines SELECT g, n, 'sku-' || n FROM generate_series(1, 2000) g, generate_series(1, 3) n;`;
const SCHEMAS = ["shop"];

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function ownedPair(
  major: PgMajor,
  owner: string,
): Promise<{ source: FreshDatabase; destination: FreshDatabase }> {
  const source = await freshDatabase(major, { owner });
  const destination = await freshDatabase(major, { owner });
  databases.push(source, destination);
  return { source, destination };
}

describe.each(testMajors())("PostgreSQL %i, a role with 1-second limits", (major) => {
  const role = `limits_1s_${major}`;
  const password = "limits-pw-1s";

  it("copies through a COPY and an idle snapshot that each outlast the limits", async () => {
    await createRole(major as PgMajor, role, { password, superuser: true });
    const limits = [
      "statement_timeout = '1s'",
      "lock_timeout = '1s'",
      "idle_in_transaction_session_timeout = '1s'",
      ...(hasFeature(major, "transaction_timeout") ? ["transaction_timeout = '1s'"] : []),
    ];
    await withClient(sharedServer(major as PgMajor).superuserUrl(), async (c) => {
      for (const limit of limits) await c.query(`ALTER ROLE ${role} SET ${limit}`);
    });
    const { source, destination } = await ownedPair(major as PgMajor, role);
    await withClient(source.url, (c) => c.query(SEED));

    // The limits are real: the role's own session is cut after 1 s.
    const cut = await withClient(source.urlAs(role, password), (c) =>
      c.query("SELECT pg_catalog.pg_sleep(1.5)").then(
        () => undefined,
        (e: { code?: string }) => e.code,
      ),
    );
    // 57014 statement_timeout; on 17+ transaction_timeout (25P04) may fire first.
    expect(hasFeature(major, "transaction_timeout") ? ["57014", "25P04"] : ["57014"]).toContain(cut);

    const slowPoints: FaultPoint[] = ["before:copy-data", "copy:mid-stream", "before:cutover"];
    const report = await runSync({
      sourceUrl: source.urlAs(role, password),
      destinationUrl: destination.urlAs(role, password),
      parallelism: 2,
      schemas: SCHEMAS,
      // Longer than every limit: the exporter's and the lock's transactions sit idle for 1.5 s, a
      // COPY statement and its transaction run for over 1.5 s on both sides.
      faultHook: async (point) => {
        if (slowPoints.includes(point)) await pause(1500);
      },
    });
    expect(report.error).toBeUndefined();
    expect(report.ok).toBe(true);
    expect(await captureState(destination.url)).toEqual(await captureState(source.url));
  });
});

describe.each(testMajors())("PostgreSQL %i, a role with a CONNECTION LIMIT", (major) => {
  it("gets a worker pool that fits the limit, with a warning", async () => {
    const role = await createRole(major as PgMajor, `connlimit_${major}`, { password: "connlimit-pw" });
    // Both sides on one server as one role: the exporter, the control and the lock connections take
    // 3 of 6, which leaves room for 2 workers (1 more source + 2 destination connections), not 4.
    await withClient(sharedServer(major as PgMajor).superuserUrl(), (c) =>
      c.query(`ALTER ROLE ${role.name} CONNECTION LIMIT 6`),
    );
    const { source, destination } = await ownedPair(major as PgMajor, role.name);
    await withClient(source.urlAs(role.name, role.password), (c) => c.query(SEED));
    const report = await runSync({
      sourceUrl: source.urlAs(role.name, role.password),
      destinationUrl: destination.urlAs(role.name, role.password),
      parallelism: 4,
      schemas: SCHEMAS,
      timeouts: { connectSeconds: 5 },
    });
    expect(report.error).toBeUndefined();
    expect(report.ok).toBe(true);
    expect(report.warnings).toContain(
      `parallelism lowered from 4 to 2 to fit the connection limits: on the server of both sides, role "${role.name}" has CONNECTION LIMIT 6 and 3 connection(s) are in use, while 4 workers need 7 more`,
    );
    expect(await captureState(destination.url)).toEqual(await captureState(source.url));
  });
});

describe("a server with a small max_connections", () => {
  const major = testMajors()[0] as PgMajor;

  it("gets a worker pool that fits the free slots, with a warning", async () => {
    // 3 slots stay reserved for superusers; a non-superuser has 5 of 8. The run's first three
    // connections leave 2: room for 1 worker (1 destination connection), where 3 would need 5.
    const server = await startPostgres({ major, name: "few-slots", settings: { max_connections: 8 } });
    servers.push(server);
    await withClient(server.url(), async (c) => {
      await c.query("CREATE ROLE few_slots LOGIN PASSWORD 'few-slots-pw'");
      await c.query("CREATE DATABASE src OWNER few_slots");
      await c.query("CREATE DATABASE dst OWNER few_slots");
    });
    await withClient(server.url("src", "few_slots", "few-slots-pw"), (c) => c.query(SEED));
    const report = await runSync({
      sourceUrl: server.url("src", "few_slots", "few-slots-pw"),
      destinationUrl: server.url("dst", "few_slots", "few-slots-pw"),
      parallelism: 3,
      schemas: SCHEMAS,
      timeouts: { connectSeconds: 5 },
    });
    expect(report.error).toBeUndefined();
    expect(report.ok).toBe(true);
    expect(report.warnings).toContain(
      "parallelism lowered from 3 to 1 to fit the connection limits: on the server of both sides, max_connections = 8 (3 reserved) and 3 connection(s) are in use, while 3 workers need 5 more",
    );
    expect(await captureState(server.url("dst"))).toEqual(await captureState(server.url("src")));
  });
});
