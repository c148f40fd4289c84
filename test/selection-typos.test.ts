/**
 * A selection that names what the source does not have is refused before anything is written, with
 * exit 2, naming the name and offering the closest ones: from the command line, and for a scheduled
 * run whose profile names a schema that has since been dropped (that run fails and alerts).
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig, resolveProfile } from "../src/config/index.js";
import { createLogger } from "../src/output/logger.js";
import { buildNotifiers } from "../src/schedule/notify/index.js";
import { runProfile, syncOptionsFor } from "../src/schedule/run-profile.js";
import { runCli } from "./helpers/cli.js";
import { databasesForThisFile, newestToOldest } from "./helpers/pairs.js";
import { withClient } from "./helpers/pg-servers.js";
import { userSchemas, writeConfig } from "./helpers/safety-cli.js";

const { from, to } = newestToOldest();
const database = databasesForThisFile();

const SOURCE = `
  CREATE TABLE public.customers (id int PRIMARY KEY, name text);
  CREATE TABLE public.orders (id int PRIMARY KEY, customer_id int REFERENCES public.customers (id));
  CREATE VIEW public.customer_orders AS SELECT c.name, o.id FROM public.customers c JOIN public.orders o ON o.customer_id = c.id;
  CREATE SCHEMA sales;
  CREATE TABLE sales.invoices (id int PRIMARY KEY);
  INSERT INTO public.customers VALUES (1, 'a');
  INSERT INTO public.orders VALUES (1, 1);`;

const alerts: Record<string, unknown>[] = [];
let hook: Server;
beforeAll(async () => {
  hook = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => {
      body += c.toString();
    });
    req.on("end", () => {
      alerts.push(JSON.parse(body) as Record<string, unknown>);
      res.end("ok");
    });
  });
  await new Promise<void>((resolve) => hook.listen(0, "127.0.0.1", resolve));
});
afterAll(() => new Promise<void>((resolve) => hook.close(() => resolve())));

describe(`selection typos (${from} -> ${to})`, async () => {
  const source = await database(from);
  const destination = await database(to);
  await withClient(source.url, (c) => c.query(SOURCE));
  const run = (...flags: string[]) =>
    runCli(["run", "--from", source.url, "--to", destination.url, ...flags], { PGSYNC_CONFIG: "" });

  /** Each typo of the issue, with the line that names it (all in one run: one error lists them all). */
  const typos: [string[], string][] = [
    [
      ["--schema", "pubic"],
      "schema pubic (--schema, include.schemas): the source has no such schema; did you mean public?",
    ],
    [
      ["--exclude-schema", "sale"],
      "schema sale (--exclude-schema, exclude.schemas): the source has no such schema; did you mean sales?",
    ],
    [
      ["--table", "customers"],
      "table customers (--table, include.tables): write it as schema.table; did you mean public.customers?",
    ],
    [
      ["--table", "public.nosuch"],
      "table public.nosuch (--table, include.tables): the source has no such table (the tables of public: public.customers, public.orders)",
    ],
    [
      ["--table", "public.customer_orders"],
      "table public.customer_orders (--table, include.tables): public.customer_orders is a view; a selection names tables",
    ],
    [
      ["--exclude-table", "public.custmers"],
      "table public.custmers (--exclude-table, exclude.tables): the source has no such table; did you mean public.customers?",
    ],
    [
      ["--structure-only", "sales.invoice"],
      "table sales.invoice (--structure-only, structureOnly): the source has no such table; did you mean sales.invoices?",
    ],
    [
      ["--exclude-table", "slaes.invoices"],
      "table slaes.invoices (--exclude-table, exclude.tables): the source has no schema slaes; did you mean sales.invoices?",
    ],
  ];

  it("one typo fails with exit 2, naming it and the closest name, before anything is written", async () => {
    const result = await run("--schema", "pubic");
    expect(result.code, result.stderr).toBe(2);
    expect(result.stdout).toMatch(/: FAILED in /);
    expect(result.stderr).toMatch(
      /^pgsync-ts: error: the selection names what the source database does not have: schema pubic \(--schema, include.schemas\): the source has no such schema; did you mean public\?$/m,
    );
    // Nothing was written: not even the tool's metadata.
    expect(await userSchemas(destination.url)).toEqual(["public"]);
  });

  it("every typo of a selection is named in one error", async () => {
    const result = await run(...typos.flatMap(([flags]) => flags));
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toContain(
      `the selection names ${typos.length} things the source database does not have`,
    );
    for (const [, line] of typos) expect(result.stderr).toContain(line);
    // The message is about the names, not a consequence of leaving tables out (a view over them).
    expect(result.stderr).not.toContain("which the selection leaves out");
    expect(await userSchemas(destination.url)).toEqual(["public"]);
  });

  it("names that exist pass the check (the plan's own refusals still apply)", async () => {
    const result = await run("--table", "public.customers", "--exclude-table", "public.orders");
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toContain('view "public"."customer_orders": it reads "public"."orders"');
  });

  it("a scheduled run whose profile names a dropped schema fails and alerts, naming it", async () => {
    const dropped = await database(from);
    const target = await database(to);
    await withClient(dropped.url, (c) => c.query(SOURCE));
    const file = writeConfig({
      profiles: {
        nightly: {
          source: dropped.url,
          destination: target.url,
          include: { schemas: ["sales"] },
          schedule: { cron: "0 2 * * *" },
          notify: { webhook: { url: `http://127.0.0.1:${(hook.address() as AddressInfo).port}/alerts` } },
        },
      },
    });
    const config = await loadConfig({ configPath: file, env: {} });
    const profile = resolveProfile(config, "nightly", {});
    const scheduled = () =>
      runProfile({
        profile,
        trigger: "scheduled",
        scheduledFor: new Date(),
        log: createLogger({ profile: "nightly", level: "silent" }),
        notifiers: buildNotifiers("nightly", profile.notify, {}),
        run: syncOptionsFor(profile),
      });
    expect((await scheduled()).status).toBe("succeeded");
    await withClient(dropped.url, (c) => c.query("DROP SCHEMA sales CASCADE"));
    const failed = await scheduled();
    expect(failed.status).toBe("failed");
    expect(failed.report.error).toMatchObject({ kind: "config" });
    expect(String(failed.report.error?.message)).toContain("schema sales (--schema, include.schemas)");
    expect(alerts).toContainEqual(
      expect.objectContaining({
        event: "run.failed",
        error: expect.objectContaining({ message: expect.stringContaining("schema sales") }),
      }),
    );
  });
});
