/**
 * Issue point 1, the tool's own sessions: a source and a destination whose database and role both
 * set `search_path` with a user schema before pg_catalog, holding operators, functions and domains
 * named like the built-in ones (test/helpers/hostile.ts). Every command runs against them: run,
 * plan, verify, snapshots (with --prune), rollback, history and serve (with its status page), plus
 * a run through the library that reports the estimates an interactive run's progress shows. None of the planted functions may run, on either
 * side: the statistics (track_functions = 'pl') count their calls.
 *
 * Roles: the source and the destination are each owned by a role that is not a superuser. One pair,
 * the newest version onto the oldest of the run.
 */
import { describe, expect, it } from "vitest";
import { type RunEvent, runSync } from "../src/pipeline/run.js";
import { runCli } from "./helpers/cli.js";
import { PLANTED_FUNCTIONS, pinnedClient, plantedCalls, plantSql } from "./helpers/hostile.js";
import { databasesForThisFile, newestToOldest } from "./helpers/pairs.js";
import { createRole, withClient } from "./helpers/pg-servers.js";
import { eventually, startServe, writeConfig } from "./helpers/serve-process.js";

const { from, to } = newestToOldest();
const database = databasesForThisFile();
const STATUS_TOKEN = "hostile-status-Tok3n";

async function hostileSide(major: typeof from, role: string, schema: string) {
  const owner = await createRole(major, role, { password: `${role}-Pw1` });
  const db = await database(major, { owner: owner.name });
  const url = owner.url(db.name);
  // As the superuser: statistics of plpgsql calls, and the hostile search_path on the database and on the role.
  await withClient(db.url, async (c) => {
    await c.query(`ALTER DATABASE ${c.escapeIdentifier(db.name)} SET track_functions = 'pl'`);
    if (schema !== "public")
      await c.query(`CREATE SCHEMA ${schema} AUTHORIZATION ${c.escapeIdentifier(role)}`);
  });
  await pinnedClient(url, (c) => c.query(plantSql(schema)));
  await withClient(db.url, async (c) => {
    const path = schema === "public" ? "public, pg_catalog" : `${schema}, public, pg_catalog`;
    await c.query(`ALTER DATABASE ${c.escapeIdentifier(db.name)} SET search_path = ${path}`);
    await c.query(`ALTER ROLE ${c.escapeIdentifier(role)} SET search_path = ${path}`);
  });
  return { db, url, role };
}

describe(`a hostile search_path on both sides (PostgreSQL ${from} -> ${to})`, () => {
  it("runs no planted operator, function or domain in any command of the tool", async () => {
    const source = await hostileSide(from, "hs_pin_source", "public");
    const destination = await hostileSide(to, "hs_pin_destination", "hostile");
    await pinnedClient(source.url, (c) =>
      c.query(`CREATE TABLE public.items (id int PRIMARY KEY, label text NOT NULL, tag name);
               CREATE INDEX items_label ON public.items (lower(label));
               CREATE VIEW public.labels AS SELECT label FROM public.items;
               INSERT INTO public.items SELECT g, 'item ' || g, 'n' || g FROM generate_series(1, 500) g;`),
    );
    const { file, remove } = writeConfig({
      http: { port: 0, token: STATUS_TOKEN },
      profiles: {
        hostile: {
          source: source.url,
          destination: destination.url,
          // Fires every two seconds while `serve` runs below.
          schedule: { cron: "*/2 * * * * *" },
          verify: "checksum",
        },
      },
    });
    try {
      const cli = (...args: string[]) => runCli([...args, "--profile", "hostile", "--config", file]);
      const first = await cli("run");
      expect(first.code, first.stderr).toBe(0);
      // The hostile objects came along: the copy of the source is complete.
      expect(await plantedNames(destination.url, "public")).toEqual(
        PLANTED_FUNCTIONS.concat("hostile_control").sort(),
      );
      const plan = await cli("plan");
      expect(plan.code, plan.stderr).toBe(0);
      expect(plan.stdout).toContain("CREATE OPERATOR");
      // The destination-only schema "hostile" is what differs; the copy itself matches.
      const verify = JSON.parse((await cli("verify", "--json")).stdout) as {
        tables: { differences: string[] }[];
        differences: string[];
      };
      expect(verify.tables.flatMap((t) => t.differences)).toEqual([]);
      expect(verify.differences.filter((d) => !d.includes('"hostile"'))).toEqual([]);
      const second = await cli("run");
      expect(second.code, second.stderr).toBe(0);
      const snapshots = await cli("snapshots");
      expect(snapshots.stdout).toMatch(/2 snapshot\(s\) take/);
      const pruned = await cli("snapshots", "--prune");
      expect(pruned.code, pruned.stderr).toBe(0);
      const rollback = await cli("rollback", "--yes");
      expect(rollback.code, rollback.stderr).toBe(0);
      expect(rollback.stdout).toContain("rolled back to snapshot");
      const history = await cli("history");
      expect(history.code, history.stderr).toBe(0);
      expect(history.stdout).toContain("rollback");

      const serve = startServe(["--config", file, "--profile", "hostile"]);
      try {
        const http = await serve.waitForLine((l) => typeof l.port === "number", "the http endpoints");
        await eventually(async () => {
          const rows = await pinnedClient(destination.url, (c) =>
            c.query("SELECT 1 FROM _pgsync.runs WHERE trigger = 'scheduled' AND status = 'succeeded'"),
          );
          return rows.rowCount ? true : undefined;
        }, "a scheduled run to succeed");
        const page = await fetch(`http://127.0.0.1:${http.port}/`, {
          headers: { authorization: `Bearer ${STATUS_TOKEN}` },
        });
        expect(page.status).toBe(200);
        expect(await page.text()).toContain("hostile");
      } finally {
        expect(await serve.stop()).toBe(0);
      }

      // What an interactive run shows its progress against: the estimates its copy-start event
      // carries, read on the run's own sessions.
      const events: RunEvent[] = [];
      const report = await runSync({
        sourceUrl: source.url,
        destinationUrl: destination.url,
        onEvent: (e) => events.push(e),
      });
      expect(report.error).toBeUndefined();
      const start = events.find((e) => e.type === "copy-start");
      const items =
        start?.type === "copy-start" ? start.tables.find((t) => t.table === '"public"."items"') : undefined;
      expect(items?.estimatedBytes).toBeGreaterThan(0);

      const calls = {
        source: await plantedCalls(source.url, "public"),
        destination: await plantedCalls(destination.url, "hostile"),
      };
      expect(calls).toEqual({ source: {}, destination: {} });
    } finally {
      remove();
    }
  });
});

async function plantedNames(url: string, schema: string): Promise<string[]> {
  return pinnedClient(url, async (c) => {
    const r = await c.query<{ name: string }>(
      `SELECT p.proname AS name FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
       WHERE n.nspname = $1`,
      [schema],
    );
    return r.rows.map((x) => x.name).sort();
  });
}
