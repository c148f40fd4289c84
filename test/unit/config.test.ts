import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inspect } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import {
  adHocProfile,
  describeProfile,
  findConfigFile,
  type LoadedConfig,
  loadConfig,
  parseConfig,
  parsePostgresUrl,
  resolveProfile,
} from "../../src/config/index.js";
import { PgsyncError } from "../../src/errors.js";

const root = mkdtempSync(join(tmpdir(), "pgsync-config-test-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let dirCount = 0;
/** A fresh directory holding the given files (name -> content; objects are written as JSON). */
function dir(files: Record<string, unknown> = {}): string {
  const d = join(root, `d${++dirCount}`);
  mkdirSync(d, { recursive: true });
  for (const [name, content] of Object.entries(files)) {
    const file = join(d, name);
    mkdirSync(join(file, ".."), { recursive: true });
    writeFileSync(file, typeof content === "string" ? content : JSON.stringify(content));
  }
  return d;
}

/** Runs fn and returns the PgsyncError it throws (fails the test when it does not throw one). */
function thrown(fn: () => unknown): PgsyncError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(PgsyncError);
    return error as PgsyncError;
  }
  throw new Error("expected a PgsyncError, nothing was thrown");
}

async function thrownAsync(fn: () => Promise<unknown>): Promise<PgsyncError> {
  try {
    await fn();
  } catch (error) {
    expect(error).toBeInstanceOf(PgsyncError);
    return error as PgsyncError;
  }
  throw new Error("expected a PgsyncError, nothing was thrown");
}

const SRC = "postgres://app:srcpass@src.example.com:5432/app";
const DST = "postgres://app:dstpass@localhost:5432/app_dev";

const DEFAULT_TIMEOUTS = { connectSeconds: 30, statementSeconds: 300, lockSeconds: 300, stallSeconds: 300 };

describe("built-in profiles", () => {
  it("are used when there is no config file", async () => {
    const config = await loadConfig({ cwd: dir(), env: {} });
    expect(config.file).toBeUndefined();
    expect([...config.profiles.keys()]).toEqual(["backup", "dev"]);
    expect(config.profiles.get("backup")).toEqual({
      source: { env: "RAILWAY_DATABASE_URL" },
      destination: { env: "RAILWAY_BACKUP_DB_URL" },
      schedule: { cron: "0 6,18 * * *", timezone: "UTC" },
      retention: { days: 7 },
      timeouts: DEFAULT_TIMEOUTS,
      parallelism: 4,
      splitTablesLargerThan: 256 * 1024 ** 2,
      verify: "counts",
      exclude: { schemas: [], tables: [] },
      structureOnly: [],
      allowProduction: false,
      includePrivileges: false,
      copyDatabaseSettings: false,
      force: false,
      lockWait: "wait",
    });
    const dev = config.profiles.get("dev");
    expect(dev?.source).toEqual({ env: "RAILWAY_DATABASE_URL" });
    expect(dev?.destination).toEqual({ env: "DATABASE_URL" });
    expect(dev?.schedule).toEqual({ cron: "15 6,18 * * *", timezone: "UTC" });
    expect(dev?.retention).toEqual({ days: 3 });
    expect(dev?.include).toBeUndefined();
  });

  it("are deeply frozen", async () => {
    const config = await loadConfig({ cwd: dir(), env: {} });
    const dev = config.profiles.get("dev");
    expect(Object.isFrozen(dev)).toBe(true);
    expect(Object.isFrozen(dev?.timeouts)).toBe(true);
    expect(Object.isFrozen(dev?.exclude.tables)).toBe(true);
  });
});

describe("config file discovery", () => {
  const profile = (parallelism: number) => ({
    profiles: { p: { source: SRC, destination: DST, parallelism } },
  });

  const cases: {
    name: string;
    files: Record<string, unknown>;
    configPath?: string;
    envFile?: string;
    expected: string | undefined;
  }[] = [
    {
      name: "--config wins over PGSYNC_CONFIG and the working directory",
      files: { "a.json": profile(1), "b.json": profile(2), "pgsync.config.json": profile(3) },
      configPath: "a.json",
      envFile: "b.json",
      expected: "a.json",
    },
    {
      name: "PGSYNC_CONFIG wins over the working directory",
      files: { "sub/b.json": profile(2), "pgsync.config.json": profile(3) },
      envFile: "sub/b.json",
      expected: "sub/b.json",
    },
    {
      name: "pgsync.config.json comes before .mjs and .js",
      files: {
        "pgsync.config.json": profile(1),
        "pgsync.config.mjs": "export default {}",
        "pgsync.config.js": "export default {}",
      },
      expected: "pgsync.config.json",
    },
    {
      name: "pgsync.config.mjs comes before .js",
      files: { "pgsync.config.mjs": "export default {}", "pgsync.config.js": "export default {}" },
      expected: "pgsync.config.mjs",
    },
    {
      name: "pgsync.config.js is found",
      files: { "pgsync.config.js": "export default {}" },
      expected: "pgsync.config.js",
    },
    { name: "no file", files: { "other.json": profile(1) }, expected: undefined },
  ];

  it.each(cases)("$name", ({ files, configPath, envFile, expected }) => {
    const cwd = dir(files);
    const env = envFile === undefined ? {} : { PGSYNC_CONFIG: envFile };
    expect(findConfigFile({ configPath, env, cwd })).toBe(
      expected === undefined ? undefined : join(cwd, expected),
    );
  });

  it("an empty PGSYNC_CONFIG counts as unset", () => {
    const cwd = dir({ "pgsync.config.json": profile(1) });
    expect(findConfigFile({ env: { PGSYNC_CONFIG: "" }, cwd })).toBe(join(cwd, "pgsync.config.json"));
  });

  it("a missing --config file is an error", () => {
    const cwd = dir({ "pgsync.config.json": profile(1) });
    const error = thrown(() => findConfigFile({ configPath: "nope.json", env: {}, cwd }));
    expect(error.kind).toBe("config");
    expect(error.message).toBe(`config file ${join(cwd, "nope.json")} (from --config) does not exist`);
  });

  it("a missing PGSYNC_CONFIG file is an error naming the variable", () => {
    const cwd = dir({ "pgsync.config.json": profile(1) });
    const error = thrown(() => findConfigFile({ env: { PGSYNC_CONFIG: "/nonexistent/x.json" }, cwd }));
    expect(error.kind).toBe("config");
    expect(error.message).toBe(
      "config file /nonexistent/x.json (from environment variable PGSYNC_CONFIG) does not exist",
    );
  });

  it("loadConfig reads the file --config names", async () => {
    const cwd = dir({ "a.json": profile(7), "pgsync.config.json": profile(3) });
    const config = await loadConfig({ configPath: "a.json", cwd, env: {} });
    expect(config.file).toBe(join(cwd, "a.json"));
    expect(config.profiles.get("p")?.parallelism).toBe(7);
  });
});

describe("config file formats", () => {
  const body = {
    profiles: {
      staging: {
        source: { url: SRC },
        destination: { env: "STAGING_URL" },
        schedule: { cron: "0 3 * * *", timezone: "Europe/Berlin" },
        retention: { days: 14, count: 5 },
        verify: "checksum",
        include: { schemas: ["public"] },
        exclude: { tables: ["public.audit_log"] },
        structureOnly: ["public.events"],
        lockWait: "fail",
      },
    },
  };

  it.each([
    ["pgsync.config.json", body],
    ["pgsync.config.mjs", `export default ${JSON.stringify(body)};`],
    [
      "pgsync.config.js",
      `const days = 7 * 2;\nexport default ${JSON.stringify(body).replace("14", "days")};`,
    ],
  ])("%s", async (name, content) => {
    const cwd = dir({ [name]: content });
    const config = await loadConfig({ cwd, env: {} });
    expect(config.file).toBe(join(cwd, name));
    expect([...config.profiles.keys()]).toEqual(["backup", "dev", "staging"]);
    expect(config.profiles.get("staging")).toEqual({
      source: { url: SRC },
      destination: { env: "STAGING_URL" },
      schedule: { cron: "0 3 * * *", timezone: "Europe/Berlin" },
      retention: { days: 14, count: 5 },
      timeouts: DEFAULT_TIMEOUTS,
      parallelism: 4,
      splitTablesLargerThan: 256 * 1024 ** 2,
      verify: "checksum",
      include: { schemas: ["public"] },
      exclude: { schemas: [], tables: ["public.audit_log"] },
      structureOnly: ["public.events"],
      allowProduction: false,
      includePrivileges: false,
      copyDatabaseSettings: false,
      force: false,
      lockWait: "fail",
    });
  });

  it("a module without a default export is an error", async () => {
    const cwd = dir({ "pgsync.config.mjs": "export const profiles = {};" });
    const error = await thrownAsync(() => loadConfig({ cwd, env: {} }));
    expect(error.message).toBe(
      `config file ${join(cwd, "pgsync.config.mjs")} has no default export (export the config object)`,
    );
  });

  it("invalid JSON is an error naming the file", async () => {
    const cwd = dir({ "pgsync.config.json": "{ profiles: " });
    const error = await thrownAsync(() => loadConfig({ cwd, env: {} }));
    expect(error.kind).toBe("config");
    expect(error.message).toContain(`config file ${join(cwd, "pgsync.config.json")} is not valid JSON: `);
  });

  it("an unsupported extension is an error", async () => {
    const cwd = dir({ "conf.yaml": "profiles: {}" });
    const error = await thrownAsync(() => loadConfig({ configPath: "conf.yaml", cwd, env: {} }));
    expect(error.message).toContain('unsupported extension ".yaml"');
  });
});

describe("merging with built-ins and defaults", () => {
  it("a file profile with a built-in's name replaces it entirely", () => {
    const config = parseConfig({ profiles: { dev: { source: SRC, destination: DST } } });
    const dev = config.profiles.get("dev");
    expect(dev?.source).toEqual({ url: SRC });
    expect(dev?.destination).toEqual({ url: DST });
    expect(dev?.schedule).toBeUndefined(); // not inherited from the built-in
    expect(dev?.retention).toEqual({ days: 7 }); // the general default, not the built-in's 3
    expect(config.profiles.get("backup")?.destination).toEqual({ env: "RAILWAY_BACKUP_DB_URL" });
  });

  it("a replaced built-in must set its own source", () => {
    const error = thrown(() =>
      parseConfig({ profiles: { dev: { destination: DST } } }, "/x/pgsync.config.json"),
    );
    expect(error.message).toBe(
      'invalid config file /x/pgsync.config.json: profiles.dev.source: required (set it in the profile or in "defaults")',
    );
  });

  it("defaults apply to every profile, built-in ones too, unless the profile sets the field", () => {
    const config = parseConfig({
      defaults: {
        parallelism: 8,
        verify: "checksum",
        timeouts: { connectSeconds: 5, lockSeconds: 60 },
        retention: { days: 30 },
        source: { env: "PRIMARY_URL" },
      },
      profiles: {
        a: { destination: DST, parallelism: 2, timeouts: { lockSeconds: 10 } },
        b: { source: SRC, destination: DST, retention: { days: 1, count: 2 } },
      },
    });
    const backup = config.profiles.get("backup");
    expect(backup?.parallelism).toBe(8);
    expect(backup?.verify).toBe("checksum");
    expect(backup?.timeouts).toEqual({
      connectSeconds: 5,
      statementSeconds: 300,
      lockSeconds: 60,
      stallSeconds: 300,
    });
    expect(backup?.retention).toEqual({ days: 7 }); // the built-in sets retention
    expect(backup?.source).toEqual({ env: "RAILWAY_DATABASE_URL" }); // the built-in sets source

    const a = config.profiles.get("a");
    expect(a?.source).toEqual({ env: "PRIMARY_URL" });
    expect(a?.parallelism).toBe(2);
    expect(a?.verify).toBe("checksum");
    expect(a?.retention).toEqual({ days: 30 });
    expect(a?.timeouts).toEqual({
      connectSeconds: 5,
      statementSeconds: 300,
      lockSeconds: 10,
      stallSeconds: 300,
    });

    const b = config.profiles.get("b");
    expect(b?.source).toEqual({ url: SRC });
    expect(b?.retention).toEqual({ days: 1, count: 2 });
    expect(config.defaults.parallelism).toBe(8);
  });

  it("a file with only defaults keeps the built-in profiles", () => {
    const config = parseConfig({ defaults: { allowProduction: true } });
    expect([...config.profiles.keys()]).toEqual(["backup", "dev"]);
    expect(config.profiles.get("dev")?.allowProduction).toBe(true);
  });
});

describe("validation errors name their key", () => {
  const cases: { name: string; config: unknown; message: string }[] = [
    {
      name: "invalid cron",
      config: { profiles: { dev: { source: SRC, destination: DST, schedule: { cron: "61 * * * *" } } } },
      message:
        'profiles.dev.schedule.cron: invalid cron expression "61 * * * *": Invalid value for minute: 61',
    },
    {
      name: "cron that never fires",
      config: { profiles: { dev: { source: SRC, destination: DST, schedule: { cron: "0 0 30 2 *" } } } },
      message: 'profiles.dev.schedule.cron: invalid cron expression "0 0 30 2 *": it never fires',
    },
    {
      name: "bad timezone",
      config: {
        profiles: {
          dev: { source: SRC, destination: DST, schedule: { cron: "0 * * * *", timezone: "Mars/Olympus" } },
        },
      },
      message: 'profiles.dev.schedule.timezone: invalid time zone "Mars/Olympus"',
    },
    {
      name: "negative retention days",
      config: { profiles: { dev: { source: SRC, destination: DST, retention: { days: -1 } } } },
      message: "profiles.dev.retention.days: expected a positive integer",
    },
    {
      name: "fractional retention count",
      config: { profiles: { dev: { source: SRC, destination: DST, retention: { days: 2, count: 1.5 } } } },
      message: "profiles.dev.retention.count: expected a positive integer",
    },
    {
      name: "unknown key in a profile",
      config: { profiles: { dev: { source: SRC, destination: DST, retentoin: { days: 1 } } } },
      message: 'profiles.dev.retentoin: unknown key (did you mean "retention"?)',
    },
    {
      name: "unknown top-level key",
      config: { profile: {} },
      message: 'profile: unknown key (did you mean "profiles"?)',
    },
    {
      name: "unknown nested key",
      config: { profiles: { dev: { source: SRC, destination: DST, timeouts: { connectSecond: 5 } } } },
      message: 'profiles.dev.timeouts.connectSecond: unknown key (did you mean "connectSeconds"?)',
    },
    {
      name: "dataOnlyTables is not a key of exclude",
      config: { profiles: { dev: { source: SRC, destination: DST, exclude: { dataOnlyTables: [] } } } },
      message: "profiles.dev.exclude.dataOnlyTables: unknown key",
    },
    {
      name: "parallelism too large",
      config: { profiles: { dev: { source: SRC, destination: DST, parallelism: 33 } } },
      message: "profiles.dev.parallelism: expected an integer from 1 to 32",
    },
    {
      name: "parallelism zero",
      config: { profiles: { dev: { source: SRC, destination: DST, parallelism: 0 } } },
      message: "profiles.dev.parallelism: expected an integer from 1 to 32",
    },
    {
      name: "parallelism as a string",
      config: { profiles: { dev: { source: SRC, destination: DST, parallelism: "4" } } },
      message: "profiles.dev.parallelism: expected an integer from 1 to 32",
    },
    {
      name: "bad parallelism in defaults",
      config: { defaults: { parallelism: 99 } },
      message: "defaults.parallelism: expected an integer from 1 to 32",
    },
    {
      name: "bad profile name",
      config: { profiles: { "bad name": { source: SRC, destination: DST } } },
      message: 'profiles["bad name"]: invalid profile name "bad name"',
    },
    {
      name: "bad verify mode",
      config: { profiles: { dev: { source: SRC, destination: DST, verify: "sha" } } },
      message: 'profiles.dev.verify: expected one of "counts", "checksum", got "sha"',
    },
    {
      name: "bad lockWait",
      config: { profiles: { dev: { source: SRC, destination: DST, lockWait: "never" } } },
      message: 'profiles.dev.lockWait: expected one of "fail", "wait", got "never"',
    },
    {
      name: "boolean of the wrong type",
      config: { profiles: { dev: { source: SRC, destination: DST, force: "yes" } } },
      message: "profiles.dev.force: expected boolean, got string",
    },
    {
      name: "bad environment variable name",
      config: { profiles: { dev: { source: { env: "1BAD" }, destination: DST } } },
      message: 'profiles.dev.source.env: expected an environment variable name, got "1BAD"',
    },
    {
      name: "connection with both url and env",
      config: { profiles: { dev: { source: { env: "A", url: SRC }, destination: DST } } },
      message:
        'profiles.dev.source: expected a postgres URL, { "url": "postgres://..." } or { "env": "VARIABLE" }',
    },
    {
      name: "unknown key in a connection",
      config: { profiles: { dev: { source: { uri: SRC }, destination: DST } } },
      message: 'profiles.dev.source.uri: unknown key (did you mean "url"?)',
    },
    {
      name: "non-postgres URL",
      config: { profiles: { dev: { source: "mysql://root@db/app", destination: DST } } },
      message: 'profiles.dev.source: expected a postgres:// or postgresql:// URL, got "mysql://root@db/app"',
    },
    {
      name: "table name without schema",
      config: { profiles: { dev: { source: SRC, destination: DST, structureOnly: ["users"] } } },
      message: 'profiles.dev.structureOnly[0]: expected a table name "schema.table", got "users"',
    },
    {
      name: "empty include",
      config: { profiles: { dev: { source: SRC, destination: DST, include: {} } } },
      message: 'profiles.dev.include: expected at least one of "schemas", "tables"',
    },
    {
      name: "timeout out of range",
      config: { profiles: { dev: { source: SRC, destination: DST, timeouts: { stallSeconds: 0 } } } },
      message: "profiles.dev.timeouts.stallSeconds: expected a whole number of seconds from 1 to 2147483",
    },
    {
      name: "missing destination in a new profile",
      config: { profiles: { extra: { source: SRC } } },
      message: 'profiles.extra.destination: required (set it in the profile or in "defaults")',
    },
    {
      name: "not an object",
      config: [],
      message: 'expected an object with "profiles", got array',
    },
  ];

  it.each(cases)("$name", ({ config, message }) => {
    const error = thrown(() => parseConfig(config, "/etc/pgsync.config.json"));
    expect(error.kind).toBe("config");
    expect(error.message).toContain(message);
    expect(error.message.startsWith("invalid config file /etc/pgsync.config.json:")).toBe(true);
  });

  it("lists every problem of a file", () => {
    const error = thrown(() =>
      parseConfig({
        profiles: { dev: { source: SRC, destination: DST, parallelism: 0, retention: { days: 0 } } },
      }),
    );
    expect(error.message).toBe(
      "invalid config:\n" +
        "  - profiles.dev.retention.days: expected a positive integer\n" +
        "  - profiles.dev.parallelism: expected an integer from 1 to 32",
    );
  });

  it("reports errors from a file with its path", async () => {
    const cwd = dir({
      "pgsync.config.json": { profiles: { dev: { source: SRC, destination: DST, parallelism: 64 } } },
    });
    const error = await thrownAsync(() => loadConfig({ cwd, env: {} }));
    expect(error.message).toBe(
      `invalid config file ${join(cwd, "pgsync.config.json")}: profiles.dev.parallelism: expected an integer from 1 to 32`,
    );
  });
});

describe("resolveProfile", () => {
  const builtins: LoadedConfig = parseConfig({});

  it("reads URLs from the environment", () => {
    const p = resolveProfile(builtins, "dev", { RAILWAY_DATABASE_URL: SRC, DATABASE_URL: ` ${DST}\n` });
    expect(p.name).toBe("dev");
    expect(p.sourceUrl).toBe(SRC);
    expect(p.destinationUrl).toBe(DST);
    expect(p.retention).toEqual({ days: 3 });
    expect(Object.isFrozen(p)).toBe(true);
  });

  it("uses URLs written in the config", () => {
    const config = parseConfig({ profiles: { lit: { source: SRC, destination: { url: DST } } } });
    const p = resolveProfile(config, "lit", {});
    expect([p.sourceUrl, p.destinationUrl]).toEqual([SRC, DST]);
  });

  it("rejects an unknown profile, listing the known ones", () => {
    const error = thrown(() => resolveProfile(builtins, "prod", {}));
    expect(error.kind).toBe("usage");
    expect(error.message).toBe('unknown profile "prod"; known profiles: backup, dev');
  });

  it.each([
    [{}, 'profile "dev": environment variable RAILWAY_DATABASE_URL is not set (source)', "source"],
    [
      { RAILWAY_DATABASE_URL: SRC },
      'profile "dev": environment variable DATABASE_URL is not set (destination)',
      "destination",
    ],
    [
      { RAILWAY_DATABASE_URL: SRC, DATABASE_URL: "  " },
      'profile "dev": environment variable DATABASE_URL is empty (destination)',
      "destination",
    ],
  ])("names a missing variable and its side (%j)", (env, message, side) => {
    const error = thrown(() => resolveProfile(builtins, "dev", env));
    expect(error.kind).toBe("config");
    expect(error.message).toBe(message);
    expect(error.context.side).toBe(side);
  });

  it("rejects a variable that holds no postgres URL", () => {
    const error = thrown(() =>
      resolveProfile(builtins, "backup", { RAILWAY_DATABASE_URL: SRC, RAILWAY_BACKUP_DB_URL: "http://x/y" }),
    );
    expect(error.kind).toBe("config");
    expect(error.message).toBe(
      'profile "backup": environment variable RAILWAY_BACKUP_DB_URL (destination): expected a postgres:// or postgresql:// URL, got "http://x/y"',
    );
  });
});

describe("passwords never appear", () => {
  const PASSWORD = "Hunter2-VerySecret";

  const leakCases: { name: string; run: () => unknown; masked?: string }[] = [
    {
      name: "wrong protocol in the config file",
      run: () =>
        parseConfig({ profiles: { p: { source: `mysql://bob:${PASSWORD}@db/app`, destination: DST } } }),
      masked: "mysql://bob:***@db/app",
    },
    {
      name: "bad port in the config file",
      run: () =>
        parseConfig({
          profiles: { p: { source: { url: `postgres://bob:${PASSWORD}@db:99999/app` }, destination: DST } },
        }),
      masked: "postgres://bob:***@db:99999/app",
    },
    {
      name: "bad URL in an environment variable",
      run: () =>
        resolveProfile(parseConfig({}), "dev", {
          RAILWAY_DATABASE_URL: `postgresql://bob:${PASSWORD}@db:port/app`,
          DATABASE_URL: DST,
        }),
      // A port that is no number may be a password that lost its "@": masked too.
      masked: "postgresql://bob:***@db:***/app",
    },
    {
      name: "unencoded reserved characters in the password",
      run: () => parsePostgresUrl(`postgres://bob:${PASSWORD}/x@db/app`, "key"),
      masked: "postgres://bob:***@db/app",
    },
    {
      name: "password that looks like a port",
      run: () => parsePostgresUrl("postgres://bob:1234/Zq@db/app", "key"),
      masked: "postgres://bob:***@db/app",
    },
    {
      name: "bad ad hoc --to",
      run: () => adHocProfile({ from: SRC, to: `redis://bob:${PASSWORD}@cache` }),
      masked: "redis://bob:***@cache",
    },
    {
      name: "a bare password instead of a URL",
      run: () => adHocProfile({ from: SRC, to: PASSWORD }),
    },
  ];

  it.each(leakCases)("in errors: $name", ({ run, masked }) => {
    const error = thrown(run);
    const text = `${error.message}\n${error.stack}\n${JSON.stringify(error.toJSON())}\n${error.describe()}`;
    expect(text).not.toContain(PASSWORD);
    expect(text).not.toContain("1234/Zq");
    if (masked) expect(error.message).toContain(`"${masked}"`);
  });

  it("in describeProfile, JSON.stringify and inspect of a resolved profile", () => {
    const config = parseConfig({
      profiles: {
        p: { source: `postgres://bob:${PASSWORD}@db/app?sslmode=require`, destination: { env: "TARGET" } },
      },
    });
    const p = resolveProfile(config, "p", {
      TARGET: `postgresql://eve:${PASSWORD}x@h:6543/d?password=${PASSWORD}y`,
    });
    const described = describeProfile(p);
    expect(described.source).toEqual({ url: "postgres://bob:***@db/app?sslmode=require" });
    expect(described.destination).toEqual({
      env: "TARGET",
      url: "postgresql://eve:***@h:6543/d?password=***",
    });
    for (const text of [JSON.stringify(described), JSON.stringify(p), inspect(p, { depth: 5 })]) {
      expect(text).not.toContain(PASSWORD);
      expect(text).toContain("bob:***@db");
    }
    // The real URL is still there for the driver.
    expect(p.sourceUrl).toBe(`postgres://bob:${PASSWORD}@db/app?sslmode=require`);
  });
});

describe("adHocProfile", () => {
  it("keeps one copy by default and applies the general defaults", () => {
    const p = adHocProfile({ from: SRC, to: DST });
    expect(describeProfile(p)).toEqual({
      name: "ad-hoc",
      source: { url: "postgres://app:***@src.example.com:5432/app" },
      destination: { url: "postgres://app:***@localhost:5432/app_dev" },
      schedule: null,
      retention: { days: 36500, count: 1 },
      timeouts: DEFAULT_TIMEOUTS,
      parallelism: 4,
      splitTablesLargerThan: 256 * 1024 ** 2,
      verify: "counts",
      include: null,
      exclude: { schemas: [], tables: [] },
      structureOnly: [],
      allowProduction: false,
      includePrivileges: false,
      force: false,
      lockWait: "wait",
    });
    expect([p.sourceUrl, p.destinationUrl]).toEqual([SRC, DST]);
  });

  it("takes options over config defaults over built-in defaults", () => {
    const p = adHocProfile({
      from: SRC,
      to: DST,
      keep: 3,
      parallelism: 2,
      timeouts: { statementSeconds: 60 },
      defaults: parseConfig({ defaults: { verify: "checksum", parallelism: 9, retention: { days: 1 } } })
        .defaults,
    });
    expect(p.retention).toEqual({ days: 36500, count: 3 });
    expect(p.parallelism).toBe(2);
    expect(p.verify).toBe("checksum");
    expect(p.timeouts.statementSeconds).toBe(60);
    expect(p.timeouts.connectSeconds).toBe(30);
  });

  it.each([
    [{ keep: 0 }, "--keep: expected a positive integer, got 0"],
    [{ parallelism: 40 }, "invalid option: parallelism: expected an integer from 1 to 32"],
    [
      { verify: "md5" as "counts" },
      'invalid option: verify: expected one of "counts", "checksum", got "md5"',
    ],
  ])("rejects bad options (%j)", (opts, message) => {
    const error = thrown(() => adHocProfile({ from: SRC, to: DST, ...opts }));
    expect(error.kind).toBe("usage");
    expect(error.message).toBe(message);
  });

  it("names the flag of a bad URL", () => {
    const error = thrown(() => adHocProfile({ from: "postgres://h:notaport/db", to: DST }));
    expect(error.kind).toBe("usage");
    expect(error.message).toBe(
      '--from: is not a valid URL: "postgres://h:***/db" (the port is not a number from 1 to 65535)',
    );
  });
});

describe("service keys: notify, misfireGraceSeconds, shutdownGraceSeconds, http", () => {
  const base = { source: SRC, destination: DST };

  it("have defaults: no notifiers, the built-in misfire grace applied by serve, 30 s shutdown grace, no HTTP", () => {
    const config = parseConfig({ profiles: { p: base } });
    expect(config.service).toEqual({ shutdownGraceSeconds: 30 });
    expect(config.profiles.get("p")?.notify).toBeUndefined();
    expect(config.profiles.get("p")?.misfireGraceSeconds).toBeUndefined();
  });

  it("accept one notifier or a list of each kind, and normalise them to lists", () => {
    const config = parseConfig({
      shutdownGraceSeconds: 5,
      http: { port: 9464 },
      defaults: { misfireGraceSeconds: 120 },
      profiles: {
        p: {
          ...base,
          misfireGraceSeconds: 0,
          notify: {
            onSuccess: true,
            webhook: {
              url: "https://hooks.example.com/pgsync/T0KEN",
              headers: { authorization: "Bearer x" },
            },
            slack: [{ url: { env: "SLACK_WEBHOOK_URL" } }, { url: "https://chat.example.com/hooks/abc" }],
            smtp: { url: { env: "SMTP_URL" }, from: "pgsync@example.com", to: "ops@example.com" },
          },
        },
        q: {
          ...base,
          notify: { smtp: { url: "smtps://u:pw@mail.example.com", from: "a@b.c", to: ["x@y.z", "w@y.z"] } },
        },
      },
    });
    expect(config.service).toEqual({ shutdownGraceSeconds: 5, http: { port: 9464, host: "127.0.0.1" } });
    expect(config.profiles.get("p")?.misfireGraceSeconds).toBe(0);
    expect(config.profiles.get("backup")?.misfireGraceSeconds).toBe(120);
    expect(config.profiles.get("p")?.notify).toEqual({
      onSuccess: true,
      webhook: [
        { url: { url: "https://hooks.example.com/pgsync/T0KEN" }, headers: { authorization: "Bearer x" } },
      ],
      slack: [{ url: { env: "SLACK_WEBHOOK_URL" } }, { url: { url: "https://chat.example.com/hooks/abc" } }],
      smtp: [{ url: { env: "SMTP_URL" }, from: "pgsync@example.com", to: ["ops@example.com"] }],
    });
    expect(config.profiles.get("q")?.notify).toEqual({
      onSuccess: false,
      webhook: [],
      slack: [],
      smtp: [{ url: { url: "smtps://u:pw@mail.example.com" }, from: "a@b.c", to: ["x@y.z", "w@y.z"] }],
    });
  });

  it.each([
    [
      { notify: { webhook: { url: "ftp://x.example.com/h" } } },
      "profiles.p.notify.webhook[0].url: expected a http:// or https:// URL, got a ftp:// URL",
    ],
    [{ notify: { slack: { url: "not a url" } } }, "profiles.p.notify.slack[0].url: is not a valid URL"],
    [
      { notify: { smtp: { url: "https://mail.example.com", from: "a@b.c", to: "x@y.z" } } },
      "profiles.p.notify.smtp[0].url: expected a smtp:// or smtps:// URL, got a https:// URL",
    ],
    [
      { notify: { smtp: { url: "smtp://h", from: "nobody", to: [] } } },
      'profiles.p.notify.smtp[0].from: expected an e-mail address, got "nobody"',
    ],
    [
      { notify: { webhok: { url: "https://x" } } },
      'profiles.p.notify.webhok: unknown key (did you mean "webhook"?)',
    ],
    [
      { notify: { webhook: { url: { env: "lower-case" } } } },
      'profiles.p.notify.webhook[0].url.env: expected an environment variable name, got "lower-case"',
    ],
    [
      { misfireGraceSeconds: -1 },
      "profiles.p.misfireGraceSeconds: expected a whole number of seconds from 0 to 86400",
    ],
  ])("reject a bad profile value (%j), naming its key", (extra, message) => {
    const error = thrown(() => parseConfig({ profiles: { p: { ...base, ...extra } } }));
    expect(error.kind).toBe("config");
    expect(error.message).toContain(message);
  });

  it.each([
    [{ http: { port: 70000 } }, "http.port: expected a port number from 0 to 65535"],
    [{ http: { port: 80, hots: "x" } }, 'http.hots: unknown key (did you mean "host"?)'],
    [
      { shutdownGraceSeconds: 1.5 },
      "shutdownGraceSeconds: expected a whole number of seconds from 0 to 86400",
    ],
  ])("reject a bad top-level value (%j)", (raw, message) => {
    expect(thrown(() => parseConfig(raw)).message).toContain(message);
  });

  it("never show a notifier's secret in describeProfile", () => {
    const config = parseConfig({
      profiles: {
        p: {
          ...base,
          notify: {
            webhook: {
              url: "https://hooks.example.com/services/T0/B0/SecretToken1",
              headers: { authorization: "Bearer SecretHeader2" },
            },
            smtp: { url: "smtp://mailer:SecretMail3@mail.example.com:587", from: "a@b.c", to: "x@y.z" },
          },
        },
      },
    });
    const text = JSON.stringify(describeProfile(resolveProfile(config, "p", {})));
    for (const secret of ["SecretToken1", "SecretHeader2", "SecretMail3"]) expect(text).not.toContain(secret);
    expect(text).toContain('"url":"https://hooks.example.com/***"');
    expect(text).toContain('"url":"smtp://mailer:***@mail.example.com:587"');
  });
});

describe("connection strings in both of libpq's forms", () => {
  const KV = "host=db.example.com port=5433 dbname=app user=app password='kv pass\\'word'";
  const SOCKET = "postgresql://app:SockPass1@/app?host=/var/run/postgresql";

  it("accepts keyword/value strings and Unix-socket URLs, and masks both", () => {
    const config = parseConfig({ profiles: { p: { source: KV, destination: { env: "TO" } } } });
    const p = resolveProfile(config, "p", { TO: SOCKET });
    expect([p.sourceUrl, p.destinationUrl]).toEqual([KV, SOCKET]);
    expect(describeProfile(p)).toMatchObject({
      source: { url: "host=db.example.com port=5433 dbname=app user=app password='***'" },
      destination: { env: "TO", url: "postgresql://app:***@/app?host=/var/run/postgresql" },
    });
    const text = JSON.stringify(describeProfile(p));
    for (const secret of ["kv pass'word", "SockPass1"]) expect(text).not.toContain(secret);
  });

  it.each([
    [
      "a config file",
      () => parseConfig({ profiles: { p: { source: `${KV} sslpasword=Typo-Secret1`, destination: DST } } }),
      "config",
    ],
    ["--from", () => adHocProfile({ from: `${SRC}?sslpasword=Typo-Secret1`, to: DST }), "usage"],
  ] as const)("refuse an unknown keyword in %s, naming the key and never its value", (_where, run, kind) => {
    const error = thrown(run);
    expect(error.kind).toBe(kind);
    expect(error.message).toContain('unknown keyword "sslpasword"');
    const text = `${error.message}\n${error.stack}\n${JSON.stringify(error.toJSON())}`;
    expect(text).not.toContain("Typo-Secret1");
    expect(text).not.toContain("kv pass");
  });
});

describe("http: the status page's address and token", () => {
  const base = { source: SRC, destination: DST };

  it("binds to 127.0.0.1 unless http.host says otherwise", () => {
    expect(parseConfig({ http: { port: 9464 }, profiles: { p: base } }).service.http).toEqual({
      port: 9464,
      host: "127.0.0.1",
    });
    expect(parseConfig({ http: { port: 9464, host: "0.0.0.0" } }).service.http?.host).toBe("0.0.0.0");
  });

  it("takes a token as a literal or an environment variable", () => {
    expect(parseConfig({ http: { port: 1, token: "Literal-Tok3n" } }).service.http?.token).toEqual({
      value: "Literal-Tok3n",
    });
    expect(parseConfig({ http: { port: 1, token: { env: "STATUS_TOKEN" } } }).service.http?.token).toEqual({
      env: "STATUS_TOKEN",
    });
    // A literal token is registered as soon as it is read: no later message shows it.
    expect(new PgsyncError("internal", "got Literal-Tok3n").message).toBe("got ***");
  });

  it.each([
    [{ token: "" }, 'http.token: expected a non-empty string or { "env": "VARIABLE" }, got an empty string'],
    [
      { token: { env: "lower-case" } },
      'http.token: expected a non-empty string or { "env": "VARIABLE" }, got object',
    ],
    [{ token: 42 }, 'http.token: expected a non-empty string or { "env": "VARIABLE" }, got number'],
    [{ tokne: "x" }, 'http.tokne: unknown key (did you mean "token"?)'],
  ])("refuses a bad token (%j)", (extra, message) => {
    expect(thrown(() => parseConfig({ http: { port: 1, ...extra } })).message).toContain(message);
  });

  it("registers a token read from the environment when the config is loaded", async () => {
    const d = dir({ "pgsync.config.json": { http: { port: 1, token: { env: "STATUS_TOKEN" } } } });
    await loadConfig({ cwd: d, env: { STATUS_TOKEN: "Env-Tok3n-Value" } });
    expect(new PgsyncError("internal", "got Env-Tok3n-Value").message).toBe("got ***");
  });
});
