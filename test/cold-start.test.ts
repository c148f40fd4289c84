/**
 * A run whose source is asleep when it starts, as a suspended serverless compute is: the server
 * exists but nothing listens on its port until a few seconds into the run. The run keeps trying for
 * timeouts.connectSeconds and then proceeds as usual; one that never wakes fails with a message
 * that says how long it tried.
 */
import { afterAll, describe, expect, it } from "vitest";
import { runSync } from "../src/pipeline/run.js";
import { captureState } from "./helpers/db-state.js";
import {
  createServer,
  type FreshDatabase,
  freshDatabase,
  type PgMajor,
  type ServerHandle,
  testMajors,
  withClient,
} from "./helpers/pg-servers.js";

const databases: FreshDatabase[] = [];
const servers: ServerHandle[] = [];
afterAll(async () => {
  await Promise.all(databases.map((d) => d.drop()));
  await Promise.all(servers.map((s) => s.stop()));
});

describe.each(testMajors())("a PostgreSQL %i source that starts after the run began", (major) => {
  it("is waited for, and the run reports the cold start", async () => {
    const handle = await createServer({ major: major as PgMajor, name: "cold" });
    servers.push(handle);
    await handle.start();
    await withClient(handle.url(), (c) =>
      c.query(
        "CREATE TABLE public.items (id int PRIMARY KEY, name text); INSERT INTO public.items SELECT g, 'item ' || g FROM generate_series(1, 500) g",
      ),
    );
    const expected = await captureState(handle.url());
    await handle.shutdown("fast");
    const destination = await freshDatabase(major as PgMajor);
    databases.push(destination);

    const run = runSync({
      sourceUrl: handle.url(),
      destinationUrl: destination.url,
      timeouts: { connectSeconds: 30 },
    });
    // Asleep for the first seconds of the run (nothing listens on the port), then up.
    await new Promise((resolve) => setTimeout(resolve, 2500));
    await handle.start();
    const report = await run;

    expect(report.error).toBeUndefined();
    expect(report.ok).toBe(true);
    const coldStart = report.warnings.find((w) => w.startsWith("connected to the source at attempt"));
    expect(coldStart).toMatch(
      /^connected to the source at attempt \d+ \(the first attempt failed: ECONNREFUSED\)$/,
    );
    expect(report.warnings.some((w) => w.startsWith("connected to the destination"))).toBe(false);
    expect(await captureState(destination.url)).toEqual(expected);
  });

  it("that never wakes fails the run after timeouts.connectSeconds, naming the side", async () => {
    const handle = await createServer({ major: major as PgMajor, name: "never" });
    servers.push(handle);
    const destination = await freshDatabase(major as PgMajor);
    databases.push(destination);
    const report = await runSync({
      sourceUrl: handle.url(),
      destinationUrl: destination.url,
      timeouts: { connectSeconds: 2 },
    });
    expect(report.ok).toBe(false);
    expect(report.steps[0]).toMatchObject({ name: "connect", status: "failed" });
    expect(report.error?.kind).toBe("connection");
    expect(String(report.error?.message)).toMatch(
      /^cannot connect to the source \(postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:\d+\/postgres\): .*ECONNREFUSED.* \(gave up after \d+ attempts in [0-9.]+ s; timeouts.connectSeconds is 2\)$/,
    );
    expect(String(report.error?.message)).not.toContain(handle.superuserPassword);
  });
});
