/**
 * Regressions for the issue's points that were fixed first:
 * 2. passwords in query parameters (`?password=`, `?sslpassword=`) never reach an output: `run`,
 *    `plan` and `verify` summaries (text and --json), `_pgsync.runs`, `history`, the status page
 *    and the webhook's payload;
 * 3. a password with an unencoded `@` in a URL, end to end;
 * 6. the status page binds to 127.0.0.1 by default and answers 401 without its token;
 * 8. a run waiting for another run's lock says so, repeatedly, naming the holder's pid;
 * 9. a valid keyword/value connection string is accepted.
 * Not version-dependent: the newest version of the run only.
 */
import { createServer, type Server } from "node:http";
import { afterAll, describe, expect, it } from "vitest";
import { createLogger } from "../src/output/logger.js";
import { logRunEvent } from "../src/output/run-events.js";
import { runSync } from "../src/pipeline/run.js";
import { runCli } from "./helpers/cli.js";
import { databasesForThisFile } from "./helpers/pairs.js";
import { createRole, type PgMajor, sharedServer, testMajors, withClient } from "./helpers/pg-servers.js";
import { eventually, startServe, writeConfig } from "./helpers/serve-process.js";

const major = testMajors().slice(-1)[0] as PgMajor;
const database = databasesForThisFile();
const cleanups: (() => void | Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

const SOURCE_PASSWORD = "S3cr@t-src-pw"; // an unencoded "@" in the URL below
const DESTINATION_PASSWORD = "D3st-query-Pw";
const SSL_PASSWORD = "Ssl-key-Passphrase9";
const TOKEN = "status-Tok3n-hostile";

/** Every form a secret could take in an output. */
const forms = (secret: string) => [secret, encodeURIComponent(secret)];
const SECRETS = [SOURCE_PASSWORD, DESTINATION_PASSWORD, SSL_PASSWORD, TOKEN].flatMap(forms);

function expectNoSecret(what: string, text: string): void {
  for (const s of SECRETS)
    expect(text.includes(s), `${what} shows a secret (${s.slice(0, 3)}...)`).toBe(false);
}

/** A webhook receiver: every payload it got. */
async function webhookReceiver(): Promise<{ url: string; bodies: string[] }> {
  const bodies: string[] = [];
  const server: Server = createServer((req, res) => {
    let body = "";
    req.on("data", (d: Buffer) => {
      body += d.toString();
    });
    req.on("end", () => {
      bodies.push(body);
      res.end("ok");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const address = server.address() as { port: number };
  return { url: `http://127.0.0.1:${address.port}/hook`, bodies };
}

describe(`outputs keep every secret out (PostgreSQL ${major})`, () => {
  it("run, plan, verify, the history, `history`, the status page and the webhook", async () => {
    const server = sharedServer(major);
    const port = new URL(server.url()).port;
    const sourceRole = await createRole(major, "hs_out_source", { password: SOURCE_PASSWORD });
    const destinationRole = await createRole(major, "hs_out_destination", { password: DESTINATION_PASSWORD });
    const source = await database(major, { owner: sourceRole.name });
    const destination = await database(major, { owner: destinationRole.name });
    await withClient(sourceRole.url(source.name), (c) =>
      c.query(
        "CREATE TABLE public.items (id int PRIMARY KEY); INSERT INTO public.items SELECT generate_series(1, 10)",
      ),
    );
    const sourceUrl = `postgres://hs_out_source:${SOURCE_PASSWORD}@127.0.0.1:${port}/${source.name}`;
    const destinationUrl = `postgres://hs_out_destination@127.0.0.1:${port}/${destination.name}?password=${encodeURIComponent(DESTINATION_PASSWORD)}&sslpassword=${encodeURIComponent(SSL_PASSWORD)}`;
    const hook = await webhookReceiver();
    const { file, remove } = writeConfig({
      http: { port: 0, token: TOKEN },
      profiles: {
        out: {
          source: sourceUrl,
          destination: destinationUrl,
          schedule: { cron: "0 3 1 1 *", timezone: "UTC" },
          notify: { onSuccess: true, webhook: { url: hook.url } },
        },
      },
    });
    cleanups.push(remove);
    const cli = (...args: string[]) => runCli([...args, "--profile", "out", "--config", file]);
    const outputs: [string, { code: number | null; stdout: string; stderr: string }][] = [];
    for (const args of [
      ["run"],
      ["run", "--json"],
      ["plan"],
      ["plan", "--json"],
      ["verify"],
      ["verify", "--json"],
      ["history"],
      ["history", "--json"],
    ]) {
      const result = await cli(...args);
      outputs.push([args.join(" "), result]);
      expect(result.code, `${args.join(" ")}: ${result.stderr}`).toBe(0);
    }
    for (const [what, r] of outputs) expectNoSecret(what, r.stdout + r.stderr);
    // The summaries show the URLs, masked.
    const summary = JSON.parse(outputs[1]?.[1].stdout ?? "{}") as { source: string; destination: string };
    expect(summary.source).toBe(`postgres://hs_out_source:***@127.0.0.1:${port}/${source.name}`);
    expect(summary.destination).toBe(
      `postgres://hs_out_destination@127.0.0.1:${port}/${destination.name}?password=***&sslpassword=***`,
    );
    const runs = await withClient(destination.url, async (c) =>
      JSON.stringify((await c.query("SELECT * FROM _pgsync.runs")).rows),
    );
    expect(runs).toContain("?password=***&sslpassword=***");
    expectNoSecret("_pgsync.runs", runs);
    await eventually(async () => (hook.bodies.length >= 2 ? true : undefined), "two webhook payloads");
    expectNoSecret("the webhook payloads", hook.bodies.join("\n"));
    expect(hook.bodies.join("\n")).toContain("password=***");

    const serve = startServe(["--config", file]);
    try {
      const http = await serve.waitForLine((l) => typeof l.port === "number", "the http endpoints");
      // Point 6: bound to the loopback address unless http.host says otherwise, and closed without the token.
      expect(http.host).toBe("127.0.0.1");
      const base = `http://127.0.0.1:${http.port}`;
      expect((await fetch(`${base}/`)).status).toBe(401);
      expect((await fetch(`${base}/`, { headers: { authorization: "Bearer wrong-token" } })).status).toBe(
        401,
      );
      const page = await fetch(`${base}/`, { headers: { authorization: `Bearer ${TOKEN}` } });
      expect(page.status).toBe(200);
      const html = await page.text();
      expect(html).toContain(`data-profile="out"`);
      expectNoSecret("the status page", html);
    } finally {
      await serve.stop();
    }
    expectNoSecret("serve's log", serve.stderr() + serve.stdout());
  });
});

describe(`a run waiting for the destination lock (PostgreSQL ${major})`, () => {
  it("logs a waiting line at each interval, naming the pid that holds the lock", async () => {
    const source = await database(major);
    const destination = await database(major);
    await withClient(source.url, (c) =>
      c.query("CREATE TABLE public.t (id int PRIMARY KEY); INSERT INTO public.t VALUES (1)"),
    );
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let holding: () => void = () => {};
    const lockTaken = new Promise<void>((resolve) => {
      holding = resolve;
    });
    const first = runSync({
      sourceUrl: source.url,
      destinationUrl: destination.url,
      faultHook: async (point) => {
        if (point !== "before:clean-leftovers") return;
        holding();
        await held;
      },
    });
    await lockTaken;
    const holder = await withClient(destination.url, async (c) => {
      const r = await c.query<{ pid: number }>(
        "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
      );
      return r.rows.map((x) => x.pid);
    });
    expect(holder).toHaveLength(1);
    const lines: string[] = [];
    const log = createLogger({ destination: { write: (line: string) => void lines.push(line) } });
    const waiting = () => lines.filter((l) => l.includes("waiting for another run's destination lock"));
    const second = runSync({
      sourceUrl: source.url,
      destinationUrl: destination.url,
      lockWait: "wait",
      lockWaitReportSeconds: 1,
      timeouts: { lockSeconds: 120 },
      onEvent: (e) => logRunEvent(log, e),
    });
    await eventually(async () => (waiting().length >= 2 ? true : undefined), "two waiting lines", 60_000);
    release();
    const [a, b] = await Promise.all([first, second]);
    expect(a.error).toBeUndefined();
    expect(b.error).toBeUndefined();
    for (const line of waiting().slice(0, 2)) expect(line).toContain(`held by pid ${holder[0]} (`);
    expect(b.lockWaitSeconds).toBeGreaterThan(0);
  });
});

describe(`connection strings (PostgreSQL ${major})`, () => {
  it("a keyword/value string with a quoted password of spaces and quotes runs", async () => {
    const password = "it's a \\ spaced Pw";
    const role = await createRole(major, "hs_out_kv", { password });
    const source = await database(major, { owner: role.name });
    const destination = await database(major, { owner: role.name });
    await withClient(role.url(source.name), (c) => c.query("CREATE TABLE public.t (id int PRIMARY KEY)"));
    const port = new URL(sharedServer(major).url()).port;
    const kv = (db: string) =>
      `host=127.0.0.1 port=${port} dbname=${db} user=hs_out_kv password='${password.replace(/[\\']/g, (c) => `\\${c}`)}'`;
    const report = await runSync({ sourceUrl: kv(source.name), destinationUrl: kv(destination.name) });
    expect(report.error).toBeUndefined();
    expect(report.destination).toBe(
      `host=127.0.0.1 port=${port} dbname=${destination.name} user=hs_out_kv password='***'`,
    );
  });
});
