/**
 * Bad input, table-driven, through the real command line: each case must end with a one-line error
 * that names the cause, exit 2 for usage or config errors and 1 for run failures, leave the
 * destination unchanged, and print no password.
 */
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { pickFreePort, serverOsUser } from "../src/embedded/server.js";
import { runSync } from "../src/pipeline/run.js";
import { runCli } from "./helpers/cli.js";
import { captureState, type DatabaseState } from "./helpers/db-state.js";
import {
  createRole,
  type FreshDatabase,
  freshDatabase,
  type PgMajor,
  sharedServer,
  testMajors,
  withClient,
} from "./helpers/pg-servers.js";
import { userSchemas, writeConfig } from "./helpers/safety-cli.js";

const SECRET = "Bad-Input-S3cret";
const majors = testMajors();
const major = majors[majors.length - 1] as PgMajor;
const server = sharedServer(major);
const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});
async function fresh(): Promise<FreshDatabase> {
  const db = await freshDatabase(major);
  cleanups.push(() => db.drop());
  return db;
}
const SOURCE_SQL =
  "CREATE TABLE public.items (id int PRIMARY KEY, name text); INSERT INTO public.items SELECT g, 'item ' || g FROM generate_series(1, 100) g;";

/** A source and a destination that already holds a copy of it (the state that must survive). */
async function synced(): Promise<{ source: FreshDatabase; destination: FreshDatabase }> {
  const source = await fresh();
  const destination = await fresh();
  await withClient(source.url, (c) => c.query(SOURCE_SQL));
  const first = await runSync({ sourceUrl: source.url, destinationUrl: destination.url });
  expect(first.error).toBeUndefined();
  await withClient(source.url, (c) => c.query("UPDATE public.items SET name = 'changed'"));
  return { source, destination };
}

interface Case {
  /** The command line, and its environment. */
  readonly args: readonly string[];
  readonly env?: NodeJS.ProcessEnv;
  /** Superuser URL of the destination whose state must not change (none when there is no destination). */
  readonly destination?: string;
  /** Passwords that must not appear in any output. */
  readonly secrets: readonly string[];
}

const superPassword = new URL(server.superuserUrl()).password;
const withPassword = (url: string, password: string) => {
  const u = new URL(url);
  u.password = password;
  return u.toString();
};
const quick = () => writeConfig({ defaults: { timeouts: { connectSeconds: 2 } } });

/** A tablespace on a small tmpfs, so that the destination really runs out of space. */
async function smallTablespace(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), "pgsync-full-"));
  const user = await serverOsUser();
  const owner = user.uid === undefined ? "" : `,uid=${user.uid},gid=${user.gid}`;
  execFileSync("mount", ["-t", "tmpfs", "-o", `size=4m,mode=0700${owner}`, "tmpfs", dir]);
  const name = `full_${randomBytes(4).toString("hex")}`;
  await withClient(server.superuserUrl(), async (c) => {
    await c.query(`CREATE TABLESPACE ${name} LOCATION '${dir}'`);
    await c.query(`GRANT CREATE ON TABLESPACE ${name} TO PUBLIC`);
  });
  cleanups.push(async () => {
    await withClient(server.superuserUrl(), (c) => c.query(`DROP TABLESPACE IF EXISTS ${name}`));
    execFileSync("umount", [dir]);
    rmSync(dir, { recursive: true, force: true });
  });
  return name;
}

const CASES: [string, number, RegExp, () => Promise<Case>][] = [
  [
    "a malformed URL",
    2,
    // A port that is no number is masked too: it may be a password that lost its "@".
    /^pgsync-ts: error: --from: is not a valid URL: "postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:\*\*\*\/db" \(the port is not a number from 1 to 65535\)$/,
    async () => {
      const destination = await fresh();
      return {
        args: [
          "run",
          "--from",
          `postgres://postgres:${SECRET}@127.0.0.1:notaport/db`,
          "--to",
          destination.url,
        ],
        destination: destination.url,
        secrets: [SECRET, superPassword],
      };
    },
  ],
  [
    "an unreachable port",
    1,
    /^pgsync-ts: error: cannot connect to the source \(postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:\d+\/db\).*(ECONNREFUSED|refused)/,
    async () => {
      const destination = await fresh();
      const port = await pickFreePort();
      return {
        args: [
          "run",
          "--from",
          `postgres://postgres:${SECRET}@127.0.0.1:${port}/db`,
          "--to",
          destination.url,
          "--config",
          quick(),
        ],
        destination: destination.url,
        secrets: [SECRET, superPassword],
      };
    },
  ],
  [
    "an unreachable host",
    1,
    /^pgsync-ts: error: cannot connect to the destination \(postgres:\/\/postgres:\*\*\*@no-such-host\.invalid:5432\/db\).*ENOTFOUND/,
    async () => {
      const source = await fresh();
      return {
        args: [
          "run",
          "--from",
          source.url,
          "--to",
          `postgres://postgres:${SECRET}@no-such-host.invalid:5432/db`,
          "--config",
          quick(),
        ],
        destination: source.url,
        secrets: [SECRET, superPassword],
      };
    },
  ],
  [
    "a refused login",
    1,
    /^pgsync-ts: error: cannot connect to the destination \(postgres:\/\/\w+:\*\*\*@.*password authentication failed for user "\w+"/,
    async () => {
      const { source, destination } = await synced();
      return {
        args: ["run", "--from", source.url, "--to", withPassword(destination.url, SECRET)],
        destination: destination.url,
        secrets: [SECRET, superPassword],
      };
    },
  ],
  [
    "a missing database",
    1,
    /^pgsync-ts: error: cannot connect to the source .*database "no_such_db" does not exist/,
    async () => {
      const destination = await fresh();
      return {
        args: ["run", "--from", server.url("no_such_db"), "--to", destination.url],
        destination: destination.url,
        secrets: [superPassword],
      };
    },
  ],
  [
    "a missing environment variable",
    2,
    /^pgsync-ts: error: profile "dev": environment variable DATABASE_URL is not set \(destination\)$/,
    async () => ({
      args: ["run", "--profile", "dev"],
      env: {
        RAILWAY_DATABASE_URL: server.url("postgres", "postgres", SECRET),
        DATABASE_URL: undefined,
        PGSYNC_CONFIG: "",
      },
      secrets: [SECRET],
    }),
  ],
  [
    "an unknown profile",
    2,
    /^pgsync-ts: error: unknown profile "nope"; known profiles: .*backup, dev/,
    async () => ({ args: ["run", "--profile", "nope"], env: { PGSYNC_CONFIG: "" }, secrets: [] }),
  ],
  [
    "an invalid cron expression",
    2,
    /^pgsync-ts: error: invalid config file .*pgsync\.config\.json: profiles\.nightly\.schedule\.cron: invalid cron expression "61 \* \* \* \*"/,
    async () => {
      const destination = await fresh();
      const config = writeConfig({
        profiles: {
          nightly: {
            source: server.url("postgres", "postgres", SECRET),
            destination: destination.url,
            schedule: { cron: "61 * * * *" },
          },
        },
      });
      return {
        args: ["run", "--profile", "nightly", "--config", config],
        destination: destination.url,
        secrets: [SECRET, superPassword],
      };
    },
  ],
  [
    "a read-only destination",
    1,
    /^pgsync-ts: error: the destination database "t_\w+" is read-only \(default_transaction_read_only = on for this database or role\); nothing was changed$/,
    async () => {
      const { source, destination } = await synced();
      await withClient(destination.url, (c) =>
        c.query(`ALTER DATABASE "${destination.name}" SET default_transaction_read_only = on`),
      );
      return {
        args: ["run", "--from", source.url, "--to", destination.url],
        destination: destination.url,
        secrets: [superPassword],
      };
    },
  ],
  [
    "a role without the CREATE privilege on the destination",
    1,
    /^pgsync-ts: error: the run needs \d+ privilege\(s\) it does not have; nothing was changed: .*destination database t_\w+: CREATE privilege is missing/,
    async () => {
      const { source, destination } = await synced();
      const role = await createRole(major, "pgsync_no_create", { password: SECRET });
      return {
        args: ["run", "--from", source.url, "--to", destination.urlAs(role.name, role.password)],
        destination: destination.url,
        secrets: [SECRET, superPassword],
      };
    },
  ],
  [
    "a role that does not own the tables it would replace",
    1,
    /^pgsync-ts: error: the run needs 1 privilege\(s\) it does not have; nothing was changed: destination table (public\.)?items: owned by \w+; role pgsync_not_owner must own it/,
    async () => {
      const { source, destination } = await synced();
      const role = await createRole(major, "pgsync_not_owner", { password: SECRET });
      await withClient(server.superuserUrl(destination.name), (c) =>
        c.query(
          `GRANT CREATE ON DATABASE "${destination.name}" TO pgsync_not_owner; GRANT CREATE, USAGE ON SCHEMA public TO pgsync_not_owner`,
        ),
      );
      return {
        args: ["run", "--from", source.url, "--to", destination.urlAs(role.name, role.password)],
        destination: destination.url,
        secrets: [SECRET, superPassword],
      };
    },
  ],
  [
    "a destination that runs out of space",
    1,
    /^pgsync-ts: error: copying table "public"\."items": could not extend file .*No space left on device/,
    async () => {
      const tablespace = await smallTablespace();
      const source = await fresh();
      const destination = await fresh();
      await withClient(destination.url, (c) =>
        c.query(`ALTER DATABASE "${destination.name}" SET default_tablespace = ${tablespace}`),
      );
      await withClient(source.url, (c) => c.query(SOURCE_SQL));
      const first = await runSync({ sourceUrl: source.url, destinationUrl: destination.url });
      expect(first.error).toBeUndefined();
      // About 16 MB of rows: four times what the tablespace holds.
      await withClient(source.url, (c) =>
        c.query(
          "INSERT INTO public.items SELECT g, repeat(md5(g::text), 16) FROM generate_series(101, 30100) g",
        ),
      );
      return {
        args: ["run", "--from", source.url, "--to", destination.url],
        destination: destination.url,
        secrets: [superPassword],
      };
    },
  ],
];

async function snapshotOf(url: string): Promise<{ state: DatabaseState; schemas: string[] }> {
  const schemas = (await userSchemas(url)).filter((s) => !s.startsWith("_pgsync"));
  return { state: await captureState(url), schemas };
}

describe(`bad input (PostgreSQL ${major})`, () => {
  it.each(CASES)(
    "%s: exit %i, a one-line error naming the cause, nothing changed, no password",
    async (_name, code, message, setup) => {
      const c = await setup();
      const before = c.destination ? await snapshotOf(c.destination) : undefined;
      const result = await runCli(c.args, c.env ?? {});
      const output = result.stdout + result.stderr;
      const last = result.stderr.trim().split("\n").at(-1) ?? "";
      expect(last, output).toMatch(message);
      expect(result.code, output).toBe(code);
      for (const secret of c.secrets) {
        expect(output).not.toContain(secret);
        expect(output).not.toContain(encodeURIComponent(secret));
      }
      if (c.destination && before) expect(await snapshotOf(c.destination)).toEqual(before);
    },
  );
});
