/**
 * `pgsync-ts config show`: the profiles as a run resolves them, with every secret of the config
 * (passwords in URLs, in environment variables, notifier tokens and headers, the status page's
 * token, the masking key) masked by the redaction registry, and unset variables named, not fatal.
 * No server is needed: nothing connects.
 */
import { describe, expect, it } from "vitest";
import { runCli } from "./helpers/cli.js";
import { writeConfig } from "./helpers/safety-cli.js";

const SECRETS = {
  literalPassword: "Lit3ral-Pa55word",
  envPassword: "Env-Pa55word-9",
  webhookToken: "XXXXsecrettoken0042",
  header: "hdr-Secret-123",
  statusToken: "Status-T0ken-Secret",
  maskingKey: "mask-Key-Secret-value",
  smtpPassword: "Smtp-Secret-77",
} as const;

const file = writeConfig({
  http: { port: 0, token: SECRETS.statusToken },
  defaults: { timeouts: { connectSeconds: 12 } },
  profiles: {
    staging: {
      source: `postgres://app:${SECRETS.literalPassword}@db.example.com:5432/prod`,
      destination: { env: "PGSYNC_TEST_STAGING_URL" },
      schedule: { cron: "0 2 * * *", timezone: "Europe/Berlin" },
      notify: {
        webhook: {
          url: `https://hooks.example.com/services/T000/B000/${SECRETS.webhookToken}`,
          headers: { authorization: `Bearer ${SECRETS.header}` },
        },
        smtp: {
          url: `smtp://alerts:${SECRETS.smtpPassword}@mail.example.com:587`,
          from: "a@example.com",
          to: "b@example.com",
        },
      },
      masking: { key: SECRETS.maskingKey, rules: { "public.users.email": "email" } },
    },
    unset: { source: { env: "PGSYNC_TEST_NEVER_SET" }, destination: { env: "PGSYNC_TEST_STAGING_URL" } },
  },
});
const env = {
  PGSYNC_TEST_STAGING_URL: `postgres://stage:${SECRETS.envPassword}@10.0.0.1/stage`,
  PGSYNC_TEST_NEVER_SET: undefined,
};

function expectNoSecret(output: string): void {
  for (const secret of Object.values(SECRETS)) {
    expect(output).not.toContain(secret);
    expect(output).not.toContain(encodeURIComponent(secret));
  }
}

describe("config show", () => {
  it("prints every profile, resolved, with no secret in it", async () => {
    const result = await runCli(["config", "show", "--config", file], env);
    expect(result.code, result.stderr).toBe(0);
    expectNoSecret(result.stdout + result.stderr);
    const lines = result.stdout.split("\n");
    expect(lines[0]).toBe(`config file  ${file}`);
    expect(lines).toContain("service http.token                    ***");
    for (const name of ["backup", "dev", "staging", "unset"]) expect(lines).toContain(`profile ${name}`);
    const show = (key: string) => lines.find((l) => l.startsWith(`  ${key} `))?.slice(2 + 28 + 2);
    const staging = lines.slice(lines.indexOf("profile staging"), lines.indexOf("profile unset"));
    const value = (key: string) => staging.find((l) => l.startsWith(`  ${key.padEnd(28)}  `))?.slice(32);
    expect(value("source.url")).toBe("postgres://app:***@db.example.com:5432/prod");
    expect(value("destination.env")).toBe("PGSYNC_TEST_STAGING_URL");
    expect(value("destination.url")).toBe("postgres://stage:***@10.0.0.1/stage");
    // The file's defaults apply, and the profile's own settings.
    expect(value("timeouts.connectSeconds")).toBe("12");
    expect(value("schedule.timezone")).toBe("Europe/Berlin");
    expect(value("masking.key")).toBe("***");
    expect(value("masking.rules")).toBe("public.users.email: email");
    expect(show("source.env")).toBe("RAILWAY_DATABASE_URL");
  });

  it("names an unset variable instead of failing, and --json says the same", async () => {
    const text = await runCli(["config", "show", "--config", file, "--profile", "unset"], env);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(
      /^ {2}source\.unset +environment variable PGSYNC_TEST_NEVER_SET is not set$/m,
    );
    expect(text.stdout).not.toContain("profile staging");

    const json = await runCli(["config", "show", "--config", file, "--json"], env);
    expect(json.code, json.stderr).toBe(0);
    expectNoSecret(json.stdout + json.stderr);
    const shown = JSON.parse(json.stdout) as { profiles: { name: string; source: Record<string, string> }[] };
    expect(shown.profiles.find((p) => p.name === "unset")?.source).toEqual({
      env: "PGSYNC_TEST_NEVER_SET",
      unset: "environment variable PGSYNC_TEST_NEVER_SET is not set",
    });
    const staging = shown.profiles.find((p) => p.name === "staging") as unknown as Record<string, unknown>;
    expect(staging.notify).toMatchObject({
      webhook: [{ url: "https://hooks.example.com/***", headers: { authorization: "***" } }],
      smtp: [{ url: "smtp://alerts:***@mail.example.com:587" }],
    });
  });

  it("an unknown profile is a usage error naming the known ones", async () => {
    const result = await runCli(["config", "show", "--config", file, "--profile", "stagign"], env);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('unknown profile "stagign"; known profiles: backup, dev, staging, unset');
  });
});
