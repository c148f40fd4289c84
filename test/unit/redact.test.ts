/**
 * The redaction registry (src/util/redact.ts) without a server: each form a secret can take
 * (a URL's user-info, `password=`, `sslpassword=`, keyword/value quoted and unquoted, an unencoded
 * `@`, a webhook token, the status page's token) is fed to each output builder that can run without
 * one, and none of their outputs may show it, in any form (raw, percent-encoded, escaped for HTML,
 * JSON or a keyword/value string).
 */
import { Writable } from "node:stream";
import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { formatHistory, shownRun } from "../../src/cli/history-command.js";
import { describeProfile, parseConfig, resolveProfile } from "../../src/config/index.js";
import { PgsyncError } from "../../src/errors.js";
import { createLogger } from "../../src/output/logger.js";
import type { RunRecord } from "../../src/schedule/history-store.js";
import { resolveHttpToken } from "../../src/schedule/http-server.js";
import { buildNotice, buildNotifiers, textBody } from "../../src/schedule/notify/index.js";
import { slackPayload, webhookPayload } from "../../src/schedule/notify/webhook.js";
import { historyEnd, historyStart } from "../../src/schedule/record-run.js";
import { renderStatusPage } from "../../src/schedule/status-page.js";
import {
  maskConnectionString,
  redact,
  registerConnectionString,
  registeredKinds,
} from "../../src/util/redact.js";

interface SecretForm {
  readonly name: string;
  /** A connection string holding the secret; tokens are not in one. */
  readonly connection?: string;
  readonly secret: string;
  /** What the config or the service does with it before any output is built. */
  readonly register: () => void;
  /** The connection string as the masker must show it. */
  readonly masked?: string;
}

const PLAIN = "postgres://app@db.example.com:5432/app";
const WEBHOOK = "https://hooks.example.com/services/T0/B0/XyzWebhookTok3n";

const connectionForm = (name: string, connection: string, secret: string, masked: string): SecretForm => ({
  name,
  connection,
  secret,
  masked,
  register: () => void registerConnectionString(connection),
});

const FORMS: readonly SecretForm[] = [
  connectionForm(
    "a URL's user-info password",
    "postgres://app:Us3rInfo-Secret@db.example.com:5432/app",
    "Us3rInfo-Secret",
    "postgres://app:***@db.example.com:5432/app",
  ),
  connectionForm(
    "a password= URL parameter",
    "postgres://app@db.example.com/app?sslmode=disable&password=Qu3ry-Secret",
    "Qu3ry-Secret",
    "postgres://app@db.example.com/app?sslmode=disable&password=***",
  ),
  connectionForm(
    "an sslpassword= URL parameter",
    "postgresql://app@db.example.com/app?sslpassword=SslKey-Secret&sslmode=require",
    "SslKey-Secret",
    "postgresql://app@db.example.com/app?sslpassword=***&sslmode=require",
  ),
  connectionForm(
    "a keyword/value password, unquoted",
    "host=db.example.com user=app password=Kv-Plain-Secret dbname=app",
    "Kv-Plain-Secret",
    "host=db.example.com user=app password=*** dbname=app",
  ),
  connectionForm(
    "a keyword/value password, quoted with escapes",
    "host=db.example.com user=app password = 'Kv Qu\\'oted\\\\Secret' dbname=app",
    "Kv Qu'oted\\Secret",
    "host=db.example.com user=app password = '***' dbname=app",
  ),
  connectionForm(
    "a keyword/value sslpassword",
    "host=/var/run/postgresql dbname=app sslpassword=KvSsl-Secret",
    "KvSsl-Secret",
    "host=/var/run/postgresql dbname=app sslpassword=***",
  ),
  connectionForm(
    "an unencoded @ inside the password",
    "postgres://app:Tr0ub@dor3-Secret@db.example.com/app",
    "Tr0ub@dor3-Secret",
    "postgres://app:***@db.example.com/app",
  ),
  connectionForm(
    "a percent-encoded password",
    "postgres://app:P%40ss%2Fw0rd-Secret@db.example.com/app",
    "P@ss/w0rd-Secret",
    "postgres://app:***@db.example.com/app",
  ),
  {
    name: "a webhook token",
    secret: "XyzWebhookTok3n",
    register: () =>
      void buildNotifiers(
        "p",
        { onSuccess: false, webhook: [{ url: { url: WEBHOOK } }], slack: [], smtp: [] },
        {},
      ),
  },
  {
    name: "the status page's token",
    secret: "StatusTok3n-Secret",
    register: () => void resolveHttpToken({ env: "STATUS_TOKEN" }, { STATUS_TOKEN: "StatusTok3n-Secret" }),
  },
];

/** Every form a leaked secret could take in an output. */
function leakForms(secret: string): string[] {
  const html = secret.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  const keywordValue = secret.replace(/[\\']/g, (c) => `\\${c}`);
  return [secret, encodeURIComponent(secret), html, keywordValue, JSON.stringify(secret).slice(1, -1)];
}

/** Every string in a value, deep (keys too). */
function strings(value: unknown): string[] {
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (value instanceof Error) return [value.message, value.stack ?? ""];
  if (typeof value === "object" && value !== null)
    return Object.entries(value).flatMap(([k, v]) => [k, ...strings(v)]);
  return [];
}

function expectNoLeak(output: unknown, secret: string): void {
  for (const text of strings(output)) {
    for (const form of leakForms(secret)) expect(text).not.toContain(form);
  }
}

const REPORT = {
  startedAt: "2025-01-01T06:00:00.000Z",
  finishedAt: "2025-01-01T06:00:03.000Z",
  seconds: 3,
  runId: "r1",
  steps: [],
  totals: { tables: 1, rows: 2, bytes: 3 },
  verification: { method: "row counts" as const, ok: true, mismatches: [] },
};

const SUMMARY = {
  ...{ runs: 1, finished: 1, succeeded: 0, successRate: 0, medianSeconds: null, skipped: 0 },
  lastSuccessAt: null,
};

function record(connection: string, message: string): RunRecord {
  const times = { startedAt: new Date(REPORT.startedAt), finishedAt: new Date(REPORT.finishedAt) };
  return {
    ...{ id: 1, kind: "sync", runId: "r1", profile: "p", trigger: "scheduled", scheduledFor: null },
    ...{ ...times, status: "failed", seconds: 3, lockWaitSeconds: 0, tables: 1, rows: 2, bytes: 3 },
    steps: [{ name: "connect", status: "failed", seconds: 1, error: message }],
    verification: null,
    error: { kind: "connection", message },
    source: connection,
    destination: connection,
    ...{ restoredSnapshot: null, keptSnapshot: null, host: "worker", pid: 1 },
  } as RunRecord;
}

function logLine(connection: string, message: string): string {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  const log = createLogger({ profile: "p", destination });
  log.error({ source: connection, err: message, nested: { url: connection, list: [message] } }, message);
  return lines.join("");
}

/**
 * The output builders that run without a server, fed the connection string where they take one and
 * a message quoting it raw (as a server or a library error might) where they take text.
 */
const BUILDERS: readonly {
  name: string;
  /** Builders fed no text besides the connection string cannot be shown a token. */
  connectionOnly?: boolean;
  build: (connection: string, message: string) => unknown;
}[] = [
  {
    name: "history row",
    build: (c, m) => [
      historyStart({
        profile: "p",
        trigger: "manual",
        startedAt: new Date(),
        sourceUrl: c,
        destinationUrl: c,
      }),
      historyEnd({ ...REPORT, error: { kind: "connection", message: m } }, "failed"),
    ],
  },
  {
    name: "notice, webhook, Slack and e-mail payloads",
    build: (c, m) => {
      const notice = buildNotice({
        profile: "p",
        status: "failed",
        trigger: "manual",
        report: { ...REPORT, error: { kind: "connection", message: m } },
        source: c,
        destination: c,
      });
      return [notice, webhookPayload(notice), slackPayload(notice), textBody(notice)];
    },
  },
  {
    name: "status page",
    build: (c, m) =>
      renderStatusPage(
        [
          {
            name: "p",
            cron: "0 * * * *",
            timezone: "UTC",
            source: c,
            destination: c,
            next: [],
            running: null,
            healthy: false,
            runs: [record(c, m)],
            summary: SUMMARY,
            historyError: m,
          },
        ],
        new Date(),
      ),
  },
  {
    name: "history command (rows of an older release, unmasked)",
    build: (c, m) => {
      const run = shownRun(record(c, m));
      const results = [{ profile: "p", destination: maskConnectionString(c), summary: SUMMARY, runs: [run] }];
      return [formatHistory(results), JSON.stringify({ profiles: results })];
    },
  },
  {
    name: "describeProfile, JSON.stringify and inspect of a profile",
    connectionOnly: true,
    build: (c) => {
      const p = resolveProfile(
        parseConfig({ profiles: { p: { source: c, destination: { env: "TO" } } } }),
        "p",
        {
          TO: c,
        },
      );
      return [describeProfile(p), JSON.stringify(p), inspect(p, { depth: 6 })];
    },
  },
  {
    name: "error message, describe() and toJSON()",
    build: (_c, m) => {
      const e = new PgsyncError("connection", m, {
        sql: `SELECT 1 -- ${m}`,
        object: m,
        server: { code: "28P01", detail: m, hint: m, where: m },
      });
      return [e.message, e.describe(), e.toJSON(), e.stack];
    },
  },
  { name: "log line", build: (c, m) => logLine(c, m) },
];

describe("the redaction registry", () => {
  for (const form of FORMS) form.register();

  it("knows the kind of every registered secret, never showing the values", () => {
    expect([...registeredKinds()].sort()).toEqual(
      expect.arrayContaining(["password", "sslpassword", "status-token", "webhook-url"]),
    );
  });

  describe.each(FORMS)("$name", (form) => {
    const connection = form.connection ?? PLAIN;
    const message = `could not connect using ${form.connection ?? WEBHOOK}: the server said ${form.secret}`;

    if (form.masked !== undefined) {
      it("is masked where the parser splits the connection string", () => {
        expect(maskConnectionString(connection)).toBe(form.masked);
      });
    }

    it("is redacted from free text", () => {
      expectNoLeak(redact(message), form.secret);
      expect(redact(message)).toContain("***");
    });

    const builders = BUILDERS.filter((b) => form.connection !== undefined || !b.connectionOnly);
    it.each(builders)("never reaches the $name", ({ build }) => {
      const output = build(connection, message);
      expect(strings(output).join("\n")).toContain("***");
      expectNoLeak(output, form.secret);
    });
  });

  it("masks a URL found in free text exactly, and keyword/value passwords around it", () => {
    expect(
      redact("from postgres://u:p%40w@h/db?sslpassword=k3y-pass&sslmode=require, then host=h password='x y'"),
    ).toBe("from postgres://u:***@h/db?sslpassword=***&sslmode=require, then host=h password='***'");
  });

  it("masks conservatively what the parser cannot split", () => {
    expect(maskConnectionString("postgres://bob:Hunter2/x@db/app")).toBe("postgres://bob:***@db/app");
    expect(maskConnectionString("postgres://u@h/db?password=ab@cd")).toBe("postgres://u@h/db?password=***");
    expect(maskConnectionString("host=h password=ab cd")).toBe("host=h password=***");
    // Only plain values of known keywords stay readable once the parser gave up.
    expect(maskConnectionString("host='h password=secret")).toBe("host=*** password=***");
    expect(maskConnectionString("host='h password=secret' user=u")).toBe("host='***' user=u");
    expect(maskConnectionString("postgres://bob:Hunter2")).toBe("postgres://bob:***");
    expect(maskConnectionString("mysql://bob:pw@db/app")).toBe("mysql://bob:***@db/app");
    // Neither form: possibly a bare password.
    expect(maskConnectionString("Hunter2-pasted")).toBe("***");
  });

  it("masks the values of unknown keywords, which may be a mistyped password", () => {
    expect(maskConnectionString("host=h pasword=oops")).toBe("host=h pasword=***");
    expect(maskConnectionString("postgres://h/db?pasword=oops")).toBe("postgres://h/db?pasword=***");
  });

  it("is idempotent", () => {
    for (const form of FORMS) {
      if (form.masked === undefined) continue;
      expect(maskConnectionString(form.masked)).toBe(form.masked);
      expect(redact(redact(form.masked))).toBe(redact(form.masked));
    }
  });
});
