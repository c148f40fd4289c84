import { afterAll, describe, expect, it } from "vitest";
import { pickFreePort } from "../src/embedded/server.js";
import { runCli } from "./helpers/cli.js";
import {
  type FreshDatabase,
  freshDatabase,
  type PgMajor,
  sharedServer,
  testMajors,
  withClient,
} from "./helpers/pg-servers.js";
import { pausedCli, writeConfig } from "./helpers/safety-cli.js";
import { inTerminal, plain } from "./helpers/terminal.js";

const majors = testMajors();
const major = majors[majors.length - 1] as PgMajor;
const other = majors[0] as PgMajor;
const databases: FreshDatabase[] = [];
afterAll(async () => {
  await Promise.all(databases.map((d) => d.drop()));
});
async function fresh(m: PgMajor): Promise<FreshDatabase> {
  const db = await freshDatabase(m);
  databases.push(db);
  return db;
}

const SECRET = "Sup3r-Secret-Pa55word";

describe("the command line never prints a password", () => {
  const cases: [string, () => Promise<{ from: string; to: string }>, number][] = [
    [
      "a refused login",
      async () => {
        const db = await fresh(major);
        return { from: sharedServer(major).url(db.name, "postgres", SECRET), to: (await fresh(other)).url };
      },
      1,
    ],
    [
      "a missing database",
      async () => ({
        from: sharedServer(major).url("no_such_db", "postgres", SECRET),
        to: (await fresh(other)).url,
      }),
      1,
    ],
    [
      "an unreachable port",
      async () => ({
        from: `postgres://postgres:${SECRET}@127.0.0.1:${await pickFreePort()}/db`,
        to: (await fresh(other)).url,
      }),
      1,
    ],
    [
      "a malformed URL",
      async () => ({
        from: `postgres://postgres:${SECRET}@127.0.0.1:notaport/db`,
        to: (await fresh(other)).url,
      }),
      2,
    ],
    [
      "a destination with a wrong password",
      async () => ({
        from: (await fresh(major)).url,
        to: sharedServer(other).url("postgres", "postgres", SECRET),
      }),
      1,
    ],
  ];

  it.each(cases)("%s", async (_name, urls, expectedCode) => {
    const { from, to } = await urls();
    for (const json of [false, true]) {
      // A short connect timeout: an unreachable port is retried until it runs out.
      const result = await runCli([
        "run",
        "--from",
        from,
        "--to",
        to,
        "--connect-timeout",
        "2",
        ...(json ? ["--json"] : []),
      ]);
      const output = result.stdout + result.stderr;
      expect(result.code).toBe(expectedCode);
      expect(output).not.toContain(SECRET);
      expect(output).not.toContain(encodeURIComponent(SECRET));
      // It still says what went wrong, with the masked URL.
      expect(output).toMatch(/error/i);
      if (json && expectedCode === 1) {
        const summary = JSON.parse(result.stdout);
        expect(summary.ok).toBe(false);
        expect(JSON.stringify(summary)).toContain("***");
      }
    }
  });

  it("not even from an environment variable named by a profile", async () => {
    const result = await runCli(["run", "--profile", "dev"], {
      RAILWAY_DATABASE_URL: sharedServer(major).url("no_such_db", "postgres", SECRET),
      DATABASE_URL: sharedServer(other).url("postgres", "postgres", SECRET),
      PGSYNC_CONFIG: "",
    });
    expect(result.code).toBe(1);
    expect(result.stdout + result.stderr).not.toContain(SECRET);
    expect(result.stdout + result.stderr).toContain("no_such_db");
  });
});

describe("commands and exit codes", () => {
  it("run, verify and plan work end to end from the command line", async () => {
    const source = await fresh(major);
    const destination = await fresh(other);
    await withClient(source.url, (c) =>
      c.query(
        "CREATE TABLE items (id int PRIMARY KEY, name text); INSERT INTO items SELECT g, 'item ' || g FROM generate_series(1, 500) g;",
      ),
    );
    const plan = await runCli(["plan", "--from", source.url, "--to", destination.url, "--json"]);
    expect(plan.code).toBe(0);
    const planned = JSON.parse(plan.stdout);
    expect(planned.tables.map((t: { table: string }) => t.table)).toEqual(['"public"."items"']);
    expect(planned.ddl.some((s: { sql: string }) => s.sql.includes("CREATE TABLE"))).toBe(true);
    // plan changes nothing
    expect(
      await withClient(
        destination.url,
        async (c) => (await c.query("SELECT to_regclass('public.items') AS t")).rows[0].t,
      ),
    ).toBeNull();

    const run = await runCli(["run", "--from", source.url, "--to", destination.url, "--json"]);
    expect(run.code).toBe(0);
    const summary = JSON.parse(run.stdout);
    expect(summary.ok).toBe(true);
    expect(summary.totals.rows).toBe(500);
    expect(summary.verification).toMatchObject({ method: "row counts", ok: true });
    expect(run.stderr).toContain("step cutover done");

    const same = await runCli(["verify", "--from", source.url, "--to", destination.url]);
    expect(same.code).toBe(0);
    expect(same.stdout).toContain("IDENTICAL");

    await withClient(destination.url, (c) => c.query("UPDATE items SET name = 'changed' WHERE id = 250"));
    const changed = await runCli(["verify", "--from", source.url, "--to", destination.url, "--json"]);
    expect(changed.code).toBe(1);
    expect(JSON.parse(changed.stdout).differences).toEqual([
      expect.stringMatching(/^"public"\."items": content checksum differs: source -?\d+; destination -?\d+$/),
    ]);

    const unreachable = await runCli([
      "verify",
      "--from",
      source.url,
      "--to",
      `postgres://x:y@127.0.0.1:${await pickFreePort()}/db`,
      "--connect-timeout",
      "2",
    ]);
    expect(unreachable.code).toBe(3);
  });

  it("usage errors exit 2 and name the problem", async () => {
    const noTarget = await runCli(["run"]);
    expect(noTarget.code).toBe(2);
    expect(noTarget.stderr).toContain("--profile");
    const unknown = await runCli(["run", "--profile", "nope"], { PGSYNC_CONFIG: "" });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown profile "nope"');
    const missingEnv = await runCli(["run", "--profile", "dev"], {
      RAILWAY_DATABASE_URL: "",
      DATABASE_URL: "",
    });
    expect(missingEnv.code).toBe(2);
    expect(missingEnv.stderr).toContain("RAILWAY_DATABASE_URL");
    const badFlag = await runCli(["run", "--nope"]);
    expect(badFlag.code).toBe(2);
  });

  it.each([
    "run",
    "verify",
    "plan",
    "rollback",
    "snapshots",
    "schedule",
    "serve",
    "history",
    "demo",
    "config",
  ])("%s --help exits 0", async (command) => {
    const result = await runCli([command, "--help"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`pgsync-ts ${command}`);
  });
});

describe("what a run tells the user", () => {
  it("prints the exact rollback command, which works from the destination alone and names the snapshot before asking", async () => {
    const source = await fresh(major);
    const destination = await fresh(other);
    await withClient(source.url, (c) =>
      c.query("CREATE TABLE items (id int PRIMARY KEY); INSERT INTO items VALUES (1)"),
    );
    const config = writeConfig({
      profiles: {
        dr: {
          source: { env: "PGSYNC_TEST_HINT_SOURCE" },
          destination: { env: "PGSYNC_TEST_HINT_DESTINATION" },
          retention: { days: 7 },
        },
      },
    });
    const run = await runCli(["run", "--profile", "dr", "--config", config], {
      PGSYNC_TEST_HINT_SOURCE: source.url,
      PGSYNC_TEST_HINT_DESTINATION: destination.url,
    });
    expect(run.code, run.stderr).toBe(0);
    const hint = /^ {2}snapshot {5}(\S+) keeps the previous state \(undo with: (.+)\)$/m.exec(run.stdout);
    expect(hint?.[2]).toBe(`pgsync-ts rollback --profile dr --config ${config}`);
    const runId = /^pgsync-ts run (\w+) /.exec(run.stdout)?.[1];

    // As printed, on a terminal (it asks), with only the destination's variable set.
    const words = [...(hint?.[2] ?? "").matchAll(/'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2] ?? "");
    expect(words[0]).toBe("pgsync-ts");
    const rollback = inTerminal(words.slice(1), { PGSYNC_TEST_HINT_DESTINATION: destination.url });
    await rollback.until((o) => o.includes("Roll back? [y/N]"));
    const asked = plain(rollback.output());
    expect(asked).toContain(`to snapshot ${hint?.[1]}:`);
    expect(asked).toMatch(
      new RegExp(
        `^ {2}taken {4}\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d UTC \\(\\d+ seconds? ago\\), by run ${runId}`,
        "m",
      ),
    );
    expect(asked).toMatch(/^ {2}size {5}\d+(\.\d)? [kM]?B$/m);
    expect(asked).toMatch(/^ {2}holds {4}schema public$/m);
    rollback.type("y\n");
    expect(await rollback.exited).toBe(0);
    expect(plain(rollback.output())).toContain(`rolled back to snapshot ${hint?.[1]}`);
    expect(
      await withClient(
        destination.url,
        async (c) => (await c.query("SELECT to_regclass('public.items') AS t")).rows[0].t,
      ),
    ).toBeNull();

    // The snapshots listing has column headers; the rollback kept the replaced state as a snapshot.
    const listed = await runCli(["snapshots", "--profile", "dr", "--config", config], {
      PGSYNC_TEST_HINT_DESTINATION: destination.url,
    });
    expect(listed.code, listed.stderr).toBe(0);
    const [header, ...rows] = listed.stdout.split("\n");
    expect(header).toMatch(/^SNAPSHOT +TAKEN +SIZE +TAKEN BY +HOLDS$/);
    expect(rows[0]).toMatch(
      /^\w+ +\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC +[\d.]+ [kM]?B +rollback \w+ +schema public$/,
    );
  });

  it("says while it retries a connection, for --connect-timeout seconds", async () => {
    const destination = await fresh(other);
    const port = await pickFreePort();
    const result = await runCli([
      "run",
      "--from",
      `postgres://postgres:x@127.0.0.1:${port}/db`,
      "--to",
      destination.url,
      "--connect-timeout",
      "2",
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /"msg":"waiting for the source to accept connections \(attempt 1, \d+ s of 2 s\): ECONNREFUSED"/,
    );
    expect(result.stderr).toMatch(/"level":50,.*"msg":"step connect failed: cannot connect to the source/);
    expect(result.stderr).toContain("timeouts.connectSeconds is 2");
  });

  it("Ctrl-C ends with 'interrupted', not with the dropped connection it causes", async () => {
    const source = await fresh(major);
    const destination = await fresh(other);
    await withClient(source.url, (c) =>
      c.query(
        "CREATE TABLE items (id int PRIMARY KEY, t text); INSERT INTO items SELECT g, repeat('x', 200) FROM generate_series(1, 2000) g",
      ),
    );
    const cli = await pausedCli(["run", "--from", source.url, "--to", destination.url], "copy:mid-stream");
    cli.kill("SIGINT");
    const { code } = await cli.exited;
    expect(code).toBe(130);
    expect(cli.stdout()).toMatch(/^pgsync-ts run \w+ \(profile ad-hoc\): INTERRUPTED in /);
    expect(cli.stdout()).toMatch(/^ {2}interrupted {2}by SIGINT during copy-data$/m);
    expect(cli.stdout()).not.toContain("Connection terminated");
    expect(cli.stderr()).toContain('"msg":"step copy-data interrupted"');
    expect(cli.stderr().trimEnd().split("\n").at(-1)).toBe(
      "pgsync-ts: interrupted (SIGINT); the synced schemas keep their previous state",
    );
  });
});
