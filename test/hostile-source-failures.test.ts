/**
 * Issue point 7, and event triggers on the destination.
 *
 * A lost connection: the run's sessions of one side are ended (pg_terminate_backend) at a fault
 * point. The run's error says which side was lost, in which step, and what state the destination is
 * in, instead of node-postgres's "Connection terminated unexpectedly" or "Client has encountered a
 * connection error and is not queryable"; and the destination holds the state the error names.
 *
 * Event triggers: one that logs DDL sees the run's DDL and the run succeeds; one that blocks DDL
 * fails the run cleanly, with the previous state kept and no staging left behind.
 *
 * One pair, the newest version onto the oldest of the run; the destination is owned by a role that
 * is not a superuser (event triggers are created by the superuser, as only it may).
 */
import { describe, expect, it } from "vitest";
import { formatRunReport } from "../src/output/format.js";
import { runSync } from "../src/pipeline/run.js";
import type { FaultPoint } from "../src/pipeline/step-runner.js";
import { captureState } from "./helpers/db-state.js";
import { databasesForThisFile, newestToOldest } from "./helpers/pairs.js";
import { createRole, withClient } from "./helpers/pg-servers.js";
import { toolSchemas } from "./helpers/safety-cli.js";

const { from, to } = newestToOldest();
const database = databasesForThisFile();

const FIXTURE = `
CREATE TABLE public.items (id int PRIMARY KEY, label text);
CREATE INDEX items_label ON public.items (label);
INSERT INTO public.items SELECT g, repeat('x', 200) || g FROM generate_series(1, 20000) g;
CREATE TABLE public.notes (id int PRIMARY KEY, body text);
INSERT INTO public.notes SELECT g, repeat('y', 200) || g FROM generate_series(1, 20000) g;`;

/** A source, and a destination (owned by a role that is not a superuser) that holds a first copy of it. */
async function syncedPair() {
  const source = await database(from);
  const owner = await createRole(to, "hs_fail_destination", { password: "hs-fail-dst-Pw1" });
  const destination = await database(to, { owner: owner.name });
  const destinationUrl = owner.url(destination.name);
  await withClient(source.url, (c) => c.query(FIXTURE));
  const first = await runSync({ sourceUrl: source.url, destinationUrl });
  expect(first.error).toBeUndefined();
  await withClient(source.url, (c) => c.query("UPDATE public.items SET label = 'changed' WHERE id <= 10"));
  return { source, destination, destinationUrl, old: await captureState(destination.url) };
}

/** Ends every session of the run on one side's database, as an administrator or a network would. */
async function endSessions(url: string): Promise<number> {
  return withClient(url, async (c) => {
    // With a timeout, pg_terminate_backend returns once the session is gone (its socket closed).
    const r = await c.query<{ n: number }>(
      `SELECT count(pg_terminate_backend(pid, 30000))::int AS n FROM pg_stat_activity
       WHERE application_name LIKE 'pgsync-ts %' AND datname = current_database() AND pid <> pg_backend_pid()`,
    );
    return r.rows[0]?.n ?? 0;
  });
}

const LOSSES: readonly { side: "source" | "destination"; point: FaultPoint; step: string; state: RegExp }[] =
  [
    {
      side: "destination",
      point: "before:guard",
      step: "guard",
      state: /nothing was written to the destination/,
    },
    {
      side: "source",
      point: "before:introspect",
      step: "introspect",
      state: /nothing was written to the destination/,
    },
    {
      side: "destination",
      point: "copy:mid-stream",
      step: "copy-data",
      state:
        /the synced schemas keep their previous state; this run's staging schemas are dropped, or left for the next run to drop/,
    },
    {
      side: "source",
      point: "copy:mid-stream",
      step: "copy-data",
      state: /the synced schemas keep their previous state; this run's staging schemas are dropped/,
    },
    {
      side: "destination",
      point: "cutover:before-commit",
      step: "cutover",
      state: /the cut-over transaction was rolled back: the synced schemas keep their previous state/,
    },
  ];

describe(`a lost connection names the side, the step and the state (PostgreSQL ${from} -> ${to})`, () => {
  it.each(LOSSES)("the $side lost at $point", async ({ side, point, step, state }) => {
    const { source, destination, destinationUrl, old } = await syncedPair();
    let ending: Promise<number> | undefined;
    const report = await runSync({
      sourceUrl: source.url,
      destinationUrl,
      // One worker: a table fits in the sockets' buffers, so a source may finish sending it before
      // its session ends; the other table's COPY then surely needs the lost session.
      parallelism: 1,
      faultHook: async (p) => {
        // Once, also when several copy streams reach the point together.
        if (p !== point) return;
        ending ??= endSessions(side === "source" ? source.url : destination.url);
        await ending;
      },
    });
    const ended = await ending;
    expect(ended).toBeGreaterThan(0);
    expect(report.ok).toBe(false);
    const message = String(report.error?.message);
    expect(message).toMatch(new RegExp(`^lost the connection to the ${side} during step ${step}; `));
    expect(message).toMatch(state);
    expect(report.error).toMatchObject({ kind: "connection", side });
    expect(report.steps.find((s) => s.status === "failed")).toMatchObject({ name: step });
    // The state the message names is the state the destination is in.
    expect(await captureState(destination.url)).toEqual(old);
    expect(formatRunReport(report)).toContain("The synced schemas keep their previous state.");
  });
});

describe(`event triggers on the destination (PostgreSQL ${from} -> ${to})`, () => {
  it("one that logs DDL sees the run's statements; the run succeeds", async () => {
    const { source, destination, destinationUrl } = await syncedPair();
    await withClient(destination.url, (c) =>
      c.query(`CREATE SCHEMA audit;
               CREATE TABLE audit.ddl (tag text);
               GRANT INSERT ON audit.ddl TO PUBLIC;
               CREATE FUNCTION audit.log_ddl() RETURNS event_trigger LANGUAGE plpgsql SECURITY DEFINER AS
                 $$ BEGIN INSERT INTO audit.ddl VALUES (tg_tag); END $$;
               CREATE EVENT TRIGGER log_ddl ON ddl_command_end EXECUTE FUNCTION audit.log_ddl();`),
    );
    const report = await runSync({ sourceUrl: source.url, destinationUrl });
    expect(report.error).toBeUndefined();
    const tags = await withClient(destination.url, async (c) =>
      (await c.query<{ tag: string }>("SELECT DISTINCT tag FROM audit.ddl ORDER BY 1")).rows.map(
        (r) => r.tag,
      ),
    );
    expect(tags).toEqual(expect.arrayContaining(["CREATE INDEX", "CREATE SCHEMA", "CREATE TABLE"]));
    const [live, copied] = await Promise.all([captureState(source.url), captureState(destination.url)]);
    expect(copied.rows['"public"."items"']).toEqual(live.rows['"public"."items"']);
  });

  it.each([
    { blocks: "every DDL statement", when: "TRUE", step: "create-staging" },
    { blocks: "CREATE INDEX", when: "tg_tag = 'CREATE INDEX'", step: "copy-data" },
  ])(
    "one that blocks $blocks fails the run cleanly, in step $step, with the previous state kept",
    async ({ when, step }) => {
      const { source, destination, destinationUrl, old } = await syncedPair();
      await withClient(destination.url, (c) =>
        c.query(`CREATE SCHEMA ddl_guard;
               CREATE FUNCTION ddl_guard.no_ddl() RETURNS event_trigger LANGUAGE plpgsql AS
                 $$ BEGIN IF ${when} THEN RAISE EXCEPTION 'DDL is frozen on this database (%)', tg_tag; END IF; END $$;
               CREATE EVENT TRIGGER no_ddl ON ddl_command_start EXECUTE FUNCTION ddl_guard.no_ddl();`),
      );
      try {
        const report = await runSync({ sourceUrl: source.url, destinationUrl });
        expect(report.ok).toBe(false);
        expect(report.steps.find((s) => s.status === "failed")?.name).toBe(step);
        expect(String(report.error?.message)).toContain("DDL is frozen on this database");
        expect(await captureState(destination.url)).toEqual(old);
        expect((await toolSchemas(destination.url, "_pgsync_stage")).length).toBe(0);
      } finally {
        await withClient(destination.url, (c) => c.query("DROP EVENT TRIGGER no_ddl"));
      }
      const retry = await runSync({ sourceUrl: source.url, destinationUrl });
      expect(retry.error).toBeUndefined();
    },
  );
});
