/**
 * Connection strings in both of libpq's forms, against real servers: keyword/value strings (quoted,
 * backslash-escaped, spaces around "="), URLs with the password percent-encoded or in the query,
 * hostaddr, and Unix-socket URLs (a server started with a socket directory). Each connects through
 * the tool's own parser and, as an oracle, through libpq (psql); both must reach the same session.
 * Then the command line: a run between keyword/value and URL strings, and an unknown keyword, which
 * exits 2 naming the key and never its value.
 */
import { execFile } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { connect } from "../src/db/connect.js";
import { runCli } from "./helpers/cli.js";
import { databasesForThisFile } from "./helpers/pairs.js";
import {
  createRole,
  type PgMajor,
  sharedServer,
  startPostgres,
  testMajors,
  withClient,
} from "./helpers/pg-servers.js";
import { writeConfig } from "./helpers/safety-cli.js";

const majors = testMajors();
const major = majors[majors.length - 1] as PgMajor;
const fresh = databasesForThisFile();
const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

/** Every character that needs care in one form or the other. */
const PASSWORD = "Tr0ub@dor:3/?#'\\ x&y=z%41";
const ROLE = "pgsync_cs_role";

const kvQuote = (v: string) => `'${v.replace(/[\\']/g, (c) => `\\${c}`)}'`;
const kvEscape = (v: string) => v.replace(/[\\'\s]/g, (c) => `\\${c}`);

const SESSION_SQL =
  "SELECT current_user, current_database(), current_setting('application_name'), inet_server_addr() IS NULL";

/** What the tool's connection sees: user, database, application name, and whether it is a Unix socket. */
async function sessionThroughTool(connectionString: string): Promise<string[]> {
  const c = await connect({ url: connectionString, side: "source", connectSeconds: 10 });
  try {
    const r = await c.client.query({ text: SESSION_SQL, rowMode: "array" });
    return (r.rows[0] as unknown[]).map(String);
  } finally {
    await c.close();
  }
}

/** The same through libpq: psql with no PG* variable, no password file, no psqlrc. */
async function sessionThroughLibpq(connectionString: string): Promise<string[]> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("PG")));
  const { stdout } = await promisify(execFile)(
    "psql",
    ["-XAt", "-F", "|", "-c", SESSION_SQL, connectionString],
    {
      env: { ...env, PGPASSFILE: "/nonexistent", PGCONNECT_TIMEOUT: "10" },
    },
  );
  return stdout
    .trim()
    .split("|")
    .map((v) => (v === "t" ? "true" : v === "f" ? "false" : v));
}

describe("connection strings against a server", () => {
  const address = new URL(sharedServer(major).superuserUrl());
  const port = address.port;

  it("keyword/value strings and URLs reach the session libpq reaches", async () => {
    const db = await fresh(major);
    await createRole(major, ROLE, { password: PASSWORD });
    const enc = encodeURIComponent(PASSWORD);
    const cases: [string, string][] = [
      [
        `host=127.0.0.1 port=${port} dbname=${db.name} user=${ROLE} password=${kvQuote(PASSWORD)} application_name=kv_quoted`,
        "kv_quoted",
      ],
      [
        `host = 127.0.0.1  port = ${port} dbname = ${db.name} user = ${ROLE} password = ${kvEscape(PASSWORD)} application_name = kv_escaped`,
        "kv_escaped",
      ],
      [
        `host=localhost hostaddr=127.0.0.1 port=${port} dbname=${db.name} user=${ROLE} password=${kvQuote(PASSWORD)} application_name=kv_hostaddr sslmode=disable`,
        "kv_hostaddr",
      ],
      [
        `postgresql://${ROLE}:${enc}@127.0.0.1:${port}/${db.name}?application_name=url_encoded`,
        "url_encoded",
      ],
      [
        `postgres:///${db.name}?host=127.0.0.1&port=${port}&user=${ROLE}&password=${enc}&application_name=url_query`,
        "url_query",
      ],
    ];
    for (const [connectionString, applicationName] of cases) {
      const expected = [ROLE, db.name, applicationName, "false"];
      expect(await sessionThroughTool(connectionString), connectionString).toEqual(expected);
      expect(await sessionThroughLibpq(connectionString), connectionString).toEqual(expected);
    }
  });

  it("an unencoded @ in a URL's password splits where node-postgres splits it", async () => {
    const db = await fresh(major);
    await createRole(major, `${ROLE}_at`, { password: "Tr0ub@dor3" });
    const url = `postgres://${ROLE}_at:Tr0ub@dor3@127.0.0.1:${port}/${db.name}?application_name=url_at`;
    expect(await sessionThroughTool(url)).toEqual([`${ROLE}_at`, db.name, "url_at", "false"]);
  });

  it("Unix-socket URLs and keyword/value strings connect through the socket", async () => {
    // Short: a socket path may not exceed 107 bytes. The server runs as its own OS user.
    const socketDir = mkdtempSync("/tmp/pgs-");
    chmodSync(socketDir, 0o777);
    cleanups.push(() => rmSync(socketDir, { recursive: true, force: true }));
    const server = await startPostgres({
      major,
      name: "socket",
      settings: { unix_socket_directories: socketDir },
    });
    cleanups.push(() => server.stop());
    const pw = server.superuserPassword;
    const cases: [string, string][] = [
      [
        `postgresql://postgres:${encodeURIComponent(pw)}@/postgres?host=${socketDir}&port=${server.port}&application_name=sock_query`,
        "sock_query",
      ],
      [
        `postgresql://postgres:${encodeURIComponent(pw)}@${encodeURIComponent(socketDir)}:${server.port}/postgres?application_name=sock_host`,
        "sock_host",
      ],
      [
        `host=${socketDir} port=${server.port} user=postgres password=${kvQuote(pw)} dbname=postgres application_name=sock_kv`,
        "sock_kv",
      ],
    ];
    for (const [connectionString, applicationName] of cases) {
      const expected = ["postgres", "postgres", applicationName, "true"];
      expect(await sessionThroughTool(connectionString), connectionString).toEqual(expected);
      expect(await sessionThroughLibpq(connectionString), connectionString).toEqual(expected);
    }
  });
});

describe("connection strings on the command line", () => {
  const address = new URL(sharedServer(major).superuserUrl());
  const superPassword = decodeURIComponent(address.password);

  it("runs from a keyword/value string to a URL, printing no password", async () => {
    const source = await fresh(major);
    const destination = await fresh(major);
    await withClient(source.url, (c) =>
      c.query("CREATE TABLE items (id int PRIMARY KEY); INSERT INTO items SELECT generate_series(1, 25)"),
    );
    const from = `host=127.0.0.1 port=${address.port} dbname=${source.name} user=postgres password=${kvQuote(superPassword)}`;
    const result = await runCli(["run", "--from", from, "--to", destination.url, "--json"]);
    expect(result.code, result.stderr).toBe(0);
    const summary = JSON.parse(result.stdout) as { source: string };
    expect(summary.source).toBe(
      `host=127.0.0.1 port=${address.port} dbname=${source.name} user=postgres password='***'`,
    );
    expect(`${result.stdout}${result.stderr}`).not.toContain(superPassword);
    const rows = await withClient(destination.url, (c) => c.query("SELECT count(*)::int AS n FROM items"));
    expect(rows.rows[0].n).toBe(25);
  });

  it("a profile run keeps ?password= and keyword/value passwords out of the summary, the history and `history`", async () => {
    const source = await fresh(major);
    const destination = await fresh(major);
    await withClient(source.url, (c) =>
      c.query("CREATE TABLE t (id int PRIMARY KEY); INSERT INTO t VALUES (1)"),
    );
    const sourceUrl = `postgres://postgres@127.0.0.1:${address.port}/${source.name}?password=${encodeURIComponent(superPassword)}`;
    const destinationKv = `host=127.0.0.1 port=${address.port} dbname=${destination.name} user=postgres password=${kvQuote(superPassword)}`;
    const config = writeConfig({
      profiles: { p: { source: sourceUrl, destination: { env: "CS_DESTINATION" } } },
    });
    cleanups.push(() => rmSync(config, { force: true }));
    const env = { CS_DESTINATION: destinationKv };
    const run = await runCli(["run", "--profile", "p", "--config", config, "--json"], env);
    expect(run.code, run.stderr).toBe(0);
    const summary = JSON.parse(run.stdout) as { source: string; destination: string };
    expect(summary.source).toBe(`postgres://postgres@127.0.0.1:${address.port}/${source.name}?password=***`);
    expect(summary.destination).toBe(
      `host=127.0.0.1 port=${address.port} dbname=${destination.name} user=postgres password='***'`,
    );
    const history = await runCli(["history", "--profile", "p", "--config", config, "--json"], env);
    expect(history.code, history.stderr).toBe(0);
    const rows = await withClient(destination.url, (c) =>
      c.query("SELECT source, destination FROM _pgsync.runs"),
    );
    expect(rows.rows).toEqual([{ source: summary.source, destination: summary.destination }]);
    const everything = [
      run.stdout,
      run.stderr,
      history.stdout,
      history.stderr,
      JSON.stringify(rows.rows),
    ].join("\n");
    for (const form of [superPassword, encodeURIComponent(superPassword)])
      expect(everything).not.toContain(form);
  });

  it.each([
    ["--from", "keyword/value", (kv: string, _url: string) => `${kv} bogus_key=Val-Secret1`],
    ["--to", "URL", (_kv: string, url: string) => `${url}?sslmode=disable&bogus_key=Val-Secret1`],
  ] as const)(
    "an unknown keyword in %s (%s) exits 2, naming the key, never its value",
    async (flag, _form, bad) => {
      const destination = await fresh(major);
      const kv = `host=127.0.0.1 port=${address.port} dbname=${destination.name} user=postgres password=${kvQuote(superPassword)}`;
      const args =
        flag === "--from"
          ? ["--from", bad(kv, destination.url), "--to", destination.url]
          : ["--from", kv, "--to", bad(kv, destination.url)];
      const result = await runCli(["run", ...args]);
      expect(result.code, result.stderr).toBe(2);
      expect(result.stderr).toContain('unknown keyword "bogus_key"');
      expect(result.stderr.startsWith(`pgsync-ts: error: ${flag}: `)).toBe(true);
      for (const secret of ["Val-Secret1", superPassword]) {
        expect(`${result.stdout}${result.stderr}`).not.toContain(secret);
      }
    },
  );
});
