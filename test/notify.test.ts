/**
 * Alerts, end to end from the command line, delivered to real servers on 127.0.0.1: an HTTP server
 * standing for a JSON webhook and a Slack-compatible incoming webhook, and an SMTP server
 * (smtp-server) with authentication. The received e-mails are parsed with mailparser.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { simpleParser } from "mailparser";
import { SMTPServer } from "smtp-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig, resolveProfile } from "../src/config/index.js";
import { pickFreePort } from "../src/embedded/server.js";
import { createLogger } from "../src/output/logger.js";
import { buildNotifiers } from "../src/schedule/notify/index.js";
import { skipProfileRun } from "../src/schedule/run-profile.js";
import { runCli } from "./helpers/cli.js";
import {
  type FreshDatabase,
  freshDatabase,
  type PgMajor,
  sharedServer,
  testMajors,
  withClient,
} from "./helpers/pg-servers.js";
import { writeConfig } from "./helpers/serve-process.js";

const majors = testMajors();
const major = majors[majors.length - 1] as PgMajor;

interface Received {
  readonly path: string;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: Record<string, unknown>;
}
interface Mail {
  readonly from: string;
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly user: string | undefined;
}

const MAIL_USER = "alerts";
const MAIL_PASSWORD = "MailSecret9-pw";
const WEBHOOK_TOKEN = "TokenSecret-7f3a";

let http: Server;
let httpPort: number;
const requests: Received[] = [];
let smtp: SMTPServer;
let smtpPort: number;
const mails: Mail[] = [];
const databases: FreshDatabase[] = [];
const cleanups: (() => void)[] = [];

beforeAll(async () => {
  http = createServer((req, res) => {
    let data = "";
    req.on("data", (c: Buffer) => {
      data += c.toString();
    });
    req.on("end", () => {
      requests.push({ path: req.url ?? "", headers: req.headers, body: JSON.parse(data || "{}") });
      res.writeHead(req.url === "/fail" ? 500 : 200, { "content-type": "text/plain" });
      res.end(req.url === "/fail" ? "broken" : "ok");
    });
  });
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  httpPort = (http.address() as AddressInfo).port;

  smtp = new SMTPServer({
    disabledCommands: ["STARTTLS"],
    allowInsecureAuth: true,
    authMethods: ["PLAIN", "LOGIN"],
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === MAIL_USER && auth.password === MAIL_PASSWORD)
        callback(null, { user: auth.username });
      else callback(new Error("invalid credentials"));
    },
    onData(stream, session, callback) {
      simpleParser(stream).then(
        (parsed) => {
          mails.push({
            from: parsed.from?.text ?? "",
            to: Array.isArray(parsed.to) ? parsed.to.map((t) => t.text).join(", ") : (parsed.to?.text ?? ""),
            subject: parsed.subject ?? "",
            text: parsed.text ?? "",
            user: session.user as string | undefined,
          });
          callback();
        },
        (error: Error) => callback(error),
      );
    },
  });
  smtpPort = await pickFreePort();
  await new Promise<void>((resolve) => smtp.listen(smtpPort, "127.0.0.1", resolve));
});

afterAll(async () => {
  for (const c of cleanups) c();
  await new Promise<void>((resolve) => http.close(() => resolve()));
  await new Promise<void>((resolve) => smtp.close(() => resolve()));
  await Promise.all(databases.map((d) => d.drop()));
});

async function fresh(): Promise<FreshDatabase> {
  const db = await freshDatabase(major);
  databases.push(db);
  return db;
}

function notify(onSuccess: boolean, webhookPaths: string[] = ["/hook"]) {
  return {
    onSuccess,
    webhook: webhookPaths.map((p) => ({
      url: p.startsWith("http") ? p : `http://127.0.0.1:${httpPort}${p}`,
      headers: { authorization: `Bearer ${WEBHOOK_TOKEN}` },
    })),
    slack: { url: { env: "TEST_SLACK_URL" } },
    smtp: {
      url: `smtp://${MAIL_USER}:${MAIL_PASSWORD}@127.0.0.1:${smtpPort}`,
      from: "pgsync@example.com",
      to: ["ops@example.com", "dba@example.com"],
    },
  };
}

const ENV = { TEST_SLACK_URL: "" }; // set per test once the port is known

describe("notifiers", () => {
  let source: FreshDatabase;
  let destination: FreshDatabase;
  let configFile: string;
  let slackUrl: string;
  const secretsIn = (text: string) =>
    [MAIL_PASSWORD, WEBHOOK_TOKEN, "/services/T000/B000/SlackSecretXYZ", new URL(source.url).password].filter(
      (s) => text.includes(s),
    );

  beforeAll(async () => {
    source = await fresh();
    destination = await fresh();
    await withClient(source.url, (c) =>
      c.query("CREATE TABLE items (id int PRIMARY KEY); INSERT INTO items SELECT generate_series(1, 500);"),
    );
    slackUrl = `http://127.0.0.1:${httpPort}/services/T000/B000/SlackSecretXYZ`;
    ENV.TEST_SLACK_URL = slackUrl;
    const closedPort = await pickFreePort();
    const config = writeConfig({
      profiles: {
        loud: { source: source.url, destination: destination.url, notify: notify(true) },
        quiet: { source: source.url, destination: destination.url, notify: notify(false) },
        broken: {
          source: sharedServer(major).url("no_such_database"),
          destination: destination.url,
          notify: notify(false),
        },
        flaky: {
          source: source.url,
          destination: destination.url,
          notify: notify(true, ["/fail", `http://127.0.0.1:${closedPort}/hook`]),
        },
      },
    });
    cleanups.push(config.remove);
    configFile = config.file;
  });

  it("a successful run is announced to every notifier when onSuccess is set", async () => {
    requests.length = 0;
    mails.length = 0;
    const run = await runCli(["run", "--profile", "loud", "--config", configFile], ENV);
    expect(run.code).toBe(0);

    const hook = requests.find((r) => r.path === "/hook");
    expect(hook?.headers.authorization).toBe(`Bearer ${WEBHOOK_TOKEN}`);
    expect(hook?.headers["content-type"]).toBe("application/json");
    expect(hook?.body).toMatchObject({
      event: "run.succeeded",
      profile: "loud",
      status: "succeeded",
      trigger: "manual",
      totals: { tables: 1, rows: 500 },
      verification: { method: "row counts", ok: true },
      error: null,
      destination: destination.url.replace(/:[^:@/]+@/, ":***@"),
    });
    expect(String(hook?.body.summary)).toMatch(
      /^pgsync-ts loud: succeeded in [\d.]+s \(1 tables, 500 rows, /,
    );

    const slack = requests.find((r) => r.path === "/services/T000/B000/SlackSecretXYZ");
    expect(Object.keys(slack?.body ?? {})).toEqual(["text"]);
    expect(String(slack?.body.text)).toMatch(/^:white_check_mark: \*pgsync-ts\* `loud`: succeeded in /);

    expect(mails).toHaveLength(1);
    const [mail] = mails;
    expect(mail?.user).toBe(MAIL_USER);
    expect(mail?.from).toBe("pgsync@example.com");
    expect(mail?.to).toBe("ops@example.com, dba@example.com");
    expect(mail?.subject).toMatch(/^\[pgsync-ts\] loud: succeeded in [\d.]+s/);
    expect(mail?.text).toContain("outcome:      succeeded");
    expect(mail?.text).toContain("copied:       1 tables, 500 rows");

    expect(run.stderr.match(/notification sent/g)).toHaveLength(3);
    expect(secretsIn(run.stdout + run.stderr)).toEqual([]);
  });

  it("a successful run sends nothing without onSuccess", async () => {
    requests.length = 0;
    mails.length = 0;
    const run = await runCli(["run", "--profile", "quiet", "--config", configFile], ENV);
    expect(run.code).toBe(0);
    expect(requests).toEqual([]);
    expect(mails).toEqual([]);
  });

  it("a failed run is always announced, with the error and no password", async () => {
    requests.length = 0;
    mails.length = 0;
    const run = await runCli(["run", "--profile", "broken", "--config", configFile], ENV);
    expect(run.code).toBe(1);
    const hook = requests.find((r) => r.path === "/hook");
    expect(hook?.body).toMatchObject({ event: "run.failed", profile: "broken", status: "failed" });
    const error = hook?.body.error as { kind: string; message: string };
    expect(error.kind).toBe("connection");
    expect(error.message).toContain("no_such_database");
    const slack = requests.find((r) => r.path.startsWith("/services/"));
    expect(String(slack?.body.text)).toMatch(
      /^:x: \*pgsync-ts\* `broken`: failed in [\d.]+s: cannot connect to the source/,
    );
    expect(mails).toHaveLength(1);
    expect(mails[0]?.subject).toMatch(/^\[pgsync-ts\] broken: failed/);
    expect(mails[0]?.text).toContain("The synced schemas keep their previous state.");
    // (The requests' own headers and paths carry the token by design; what they say must not.)
    const everything =
      JSON.stringify(requests.map((r) => r.body)) + JSON.stringify(mails) + run.stdout + run.stderr;
    expect(secretsIn(everything)).toEqual([]);
  });

  it("a failing notifier is logged and never fails the sync; the others still deliver", async () => {
    requests.length = 0;
    mails.length = 0;
    const run = await runCli(["run", "--profile", "flaky", "--config", configFile], ENV);
    expect(run.code).toBe(0);
    const failures = run.stderr
      .split("\n")
      .filter((l) => l.includes("notification failed"))
      .map((l) => JSON.parse(l) as { profile: string; notifier: string; err: string });
    const names = failures.map((f) => f.notifier);
    expect(names).toHaveLength(2);
    expect(names).toContain(`webhook http://127.0.0.1:${httpPort}/***`);
    expect(names.every((n) => /^webhook http:\/\/127\.0\.0\.1:\d+\/\*\*\*$/.test(n))).toBe(true);
    expect(failures.every((f) => f.profile === "flaky")).toBe(true);
    expect(failures.map((f) => f.err).join("\n")).toContain("answered HTTP 500");
    expect(failures.map((f) => f.err).join("\n")).toMatch(/the request failed: .*ECONNREFUSED/);
    expect(requests.some((r) => r.path.startsWith("/services/"))).toBe(true);
    expect(mails).toHaveLength(1);
    expect(secretsIn(run.stdout + run.stderr)).toEqual([]);
  });

  it("a skipped scheduled run is announced (as a failure is) and recorded", async () => {
    requests.length = 0;
    mails.length = 0;
    const config = await loadConfig({ configPath: configFile, env: { ...process.env, ...ENV } });
    const profile = resolveProfile(config, "quiet", {});
    const slot = new Date("2026-01-01T06:00:00Z");
    await skipProfileRun({
      profile,
      scheduledFor: slot,
      reason:
        "the run scheduled for 2026-01-01T06:00:00.000Z could start only 20min late, past the misfire grace of 10min",
      log: createLogger({ profile: "quiet", level: "silent" }),
      notifiers: buildNotifiers("quiet", profile.notify, ENV),
    });
    expect(requests.find((r) => r.path === "/hook")?.body).toMatchObject({
      event: "run.skipped",
      status: "skipped",
      trigger: "scheduled",
      scheduledFor: slot.toISOString(),
      error: { kind: "misfire" },
    });
    expect(mails[0]?.subject).toMatch(/^\[pgsync-ts\] quiet: skipped: the run scheduled for/);
    const row = await withClient(
      destination.url,
      async (c) =>
        (
          await c.query(
            "SELECT status, trigger, scheduled_for FROM _pgsync.runs WHERE profile = 'quiet' AND status = 'skipped'",
          )
        ).rows,
    );
    expect(row).toEqual([{ status: "skipped", trigger: "scheduled", scheduled_for: slot }]);
  });
});
