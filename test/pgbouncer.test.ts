/**
 * Runs through a real PgBouncer in transaction mode, on either side: every transaction may get
 * another server connection, so nothing may rely on session state. PgBouncer comes from Debian's
 * packages, installed by scripts/provision.sh (npm test runs it); each test file starts its own instances as
 * an unprivileged user on 127.0.0.1.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { chmod, chown } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect } from "../src/db/connect.js";
import { pickFreePort, serverOsUser } from "../src/embedded/server.js";
import { PgsyncError } from "../src/errors.js";
import { runSync } from "../src/pipeline/run.js";
import { acquireDestinationLock } from "../src/restore/lock.js";
import { captureState } from "./helpers/db-state.js";
import {
  type FreshDatabase,
  freshDatabase,
  type PgMajor,
  sharedServer,
  testMajors,
  withClient,
} from "./helpers/pg-servers.js";

const INSTALL_HINT = "run scripts/provision.sh test (as root) to install it from Debian's packages";

function pgbouncerBinary(): string {
  for (const candidate of ["/usr/sbin/pgbouncer", "/usr/bin/pgbouncer", "/usr/local/bin/pgbouncer"]) {
    if (existsSync(candidate)) return candidate;
  }
  throw new Error(`pgbouncer is not installed: ${INSTALL_HINT}`);
}

interface Bouncer {
  /** The URL of `database` through this PgBouncer, as the shared server's superuser. */
  url(database: string, query?: string): string;
  stop(): Promise<void>;
  log(): string;
}

/** Starts a PgBouncer in transaction mode in front of the shared server of `major`. */
async function startBouncer(major: PgMajor, poolSize: number): Promise<Bouncer> {
  const binary = pgbouncerBinary();
  const target = new URL(sharedServer(major).superuserUrl());
  const user = decodeURIComponent(target.username);
  const password = decodeURIComponent(target.password);
  const port = await pickFreePort();
  const dir = mkdtempSync(join(tmpdir(), "pgsync-pgbouncer-"));
  const ini = join(dir, "pgbouncer.ini");
  const logFile = join(dir, "pgbouncer.log");
  writeFileSync(join(dir, "userlist.txt"), `"${user}" "${password}"\n`, { mode: 0o600 });
  writeFileSync(
    ini,
    [
      "[databases]",
      `* = host=${target.hostname} port=${target.port}`,
      "[pgbouncer]",
      "listen_addr = 127.0.0.1",
      `listen_port = ${port}`,
      "unix_socket_dir =",
      "auth_type = scram-sha-256",
      `auth_file = ${join(dir, "userlist.txt")}`,
      "pool_mode = transaction",
      `default_pool_size = ${poolSize}`,
      "max_client_conn = 200",
      `logfile = ${logFile}`,
      "",
    ].join("\n"),
  );
  // PgBouncer refuses to run as root: run it as the same unprivileged user as the servers.
  const osUser = await serverOsUser();
  if (osUser.uid !== undefined && osUser.gid !== undefined) {
    for (const path of [dir, ini, join(dir, "userlist.txt")]) await chown(path, osUser.uid, osUser.gid);
  }
  await chmod(dir, 0o700);
  const child: ChildProcess = spawn(binary, [ini], {
    stdio: "ignore",
    ...(osUser.uid !== undefined ? { uid: osUser.uid, gid: osUser.gid } : {}),
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const log = () => (existsSync(logFile) ? readFileSync(logFile, "utf8") : "(no log)");
  const url = (database: string, query = "") =>
    `postgres://${encodeURIComponent(user)}:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}${query ? `?${query}` : ""}`;
  // Ready once it lets a client log in and run a query.
  for (let i = 0; ; i++) {
    const client = new pg.Client({ connectionString: url("postgres") });
    client.on("error", () => {});
    try {
      await client.connect();
      await client.query("SELECT 1");
      break;
    } catch (error) {
      if (i > 100 || child.exitCode !== null)
        throw new Error(`PgBouncer did not start: ${String(error)}\n${log()}`);
      await new Promise((r) => setTimeout(r, 100));
    } finally {
      await client.end().catch(() => {});
    }
  }
  return {
    url,
    log,
    async stop() {
      if (child.exitCode === null) child.kill("SIGINT");
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const SEED = `
  CREATE SCHEMA app;
  CREATE TABLE app.accounts (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, email text UNIQUE NOT NULL);
  INSERT INTO app.accounts (email) SELECT 'user' || g || '@example.com' FROM generate_series(1, 3000) g;
  CREATE TABLE app.events (id bigserial PRIMARY KEY, account_id bigint REFERENCES app.accounts, payload jsonb);
  INSERT INTO app.events (account_id, payload) SELECT 1 + g % 3000, jsonb_build_object('n', g) FROM generate_series(1, 6000) g;
  CREATE TABLE app.audit (at timestamptz DEFAULT now(), what text);
  INSERT INTO app.audit (what) SELECT 'event ' || g FROM generate_series(1, 500) g;
  CREATE TABLE app.tags (name text PRIMARY KEY);
  INSERT INTO app.tags VALUES ('a'), ('b'), ('c');`;

beforeAll(() => {
  // Fails (not skips) when the binary is missing, naming the script that installs it.
  pgbouncerBinary();
});

describe.each(testMajors())("PostgreSQL %i behind PgBouncer in transaction mode", (major) => {
  let bouncer: Bouncer;
  let smallPool: Bouncer;
  const databases: FreshDatabase[] = [];
  const fresh = async () => {
    const db = await freshDatabase(major as PgMajor);
    databases.push(db);
    return db;
  };

  beforeAll(async () => {
    bouncer = await startBouncer(major as PgMajor, 20);
    smallPool = await startBouncer(major as PgMajor, 2);
  });
  afterAll(async () => {
    await Promise.all([bouncer?.stop(), smallPool?.stop()]);
    await Promise.all(databases.map((d) => d.drop()));
  });

  it("is detected as a pooler; the direct server is not", async () => {
    const db = await fresh();
    const pooled = await connect({ url: bouncer.url(db.name), side: "source", connectSeconds: 5 });
    const direct = await connect({ url: db.url, side: "source", connectSeconds: 5 });
    try {
      expect(await pooled.isPooled()).toBe(true);
      expect(await direct.isPooled()).toBe(false);
      expect(pooled.serverMajor).toBe(major);
    } finally {
      await Promise.all([pooled.close(), direct.close()]);
    }
  });

  it("syncs with both sides pooled, holds the destination lock, and leaves no session state behind", async () => {
    const source = await fresh();
    const destination = await fresh();
    await withClient(source.url, (c) => c.query(SEED));
    let concurrent: Awaited<ReturnType<typeof runSync>> | undefined;
    const report = await runSync({
      sourceUrl: bouncer.url(source.name),
      destinationUrl: bouncer.url(destination.name),
      parallelism: 3,
      faultHook: async (point) => {
        // Mid-copy, a second run against the same destination (also through the pooler) must be refused.
        if (point === "copy:mid-stream" && concurrent === undefined) {
          concurrent = await runSync({
            sourceUrl: bouncer.url(source.name),
            destinationUrl: bouncer.url(destination.name),
            lockWait: "fail",
          });
        }
      },
    });
    expect(report.error).toBeUndefined();
    expect(report.ok).toBe(true);
    expect(report.totals.rows).toBe(9503);
    expect(concurrent?.ok).toBe(false);
    expect(concurrent?.error?.kind).toBe("guard");
    expect(String(concurrent?.error?.message)).toContain(
      "another pgsync-ts run is writing to this destination",
    );
    expect(await captureState(destination.url)).toEqual(await captureState(source.url));

    // Whatever server connections the pool handed the run now serve other clients with their defaults.
    const clients = await Promise.all(
      Array.from({ length: 4 }, async () => {
        const c = new pg.Client({ connectionString: bouncer.url(destination.name) });
        await c.connect();
        return c;
      }),
    );
    try {
      const seen = await Promise.all(
        clients.map(async (c) => {
          await c.query("BEGIN");
          const r = await c.query<{ sp: string; st: string; idle: string }>(
            "SELECT current_setting('search_path') AS sp, current_setting('statement_timeout') AS st, current_setting('idle_in_transaction_session_timeout') AS idle",
          );
          await new Promise((resolve) => setTimeout(resolve, 50)); // keep 4 server connections busy at once
          await c.query("COMMIT");
          return r.rows[0];
        }),
      );
      for (const s of seen) expect(s).toEqual({ sp: '"$user", public', st: "0", idle: "0" });
    } finally {
      await Promise.all(clients.map((c) => c.end()));
    }
  });

  it("copies with fewer workers when the source pool is too small for all of them, and says so", async () => {
    const source = await fresh();
    const destination = await fresh();
    await withClient(source.url, (c) => c.query(SEED));
    const report = await runSync({
      sourceUrl: smallPool.url(source.name),
      destinationUrl: smallPool.url(destination.name),
      parallelism: 4,
      timeouts: { connectSeconds: 3 },
    });
    expect(report.error).toBeUndefined();
    expect(report.ok).toBe(true);
    expect(report.warnings).toContain(
      "the source's connection pooler had a server connection for only 2 of 4 workers within 3 s (the snapshot's exporting transaction holds one for the whole run); copying with 2. Raise the pooler's pool size, or use the direct endpoint",
    );
    expect(await captureState(destination.url)).toEqual(await captureState(source.url));
  });

  it("refuses a startup option in the URL, saying to remove it or use the direct endpoint", async () => {
    const db = await fresh();
    const error = await connect({
      url: bouncer.url(db.name, "options=-c%20search_path%3Dpublic"),
      side: "source",
      connectSeconds: 5,
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(PgsyncError);
    const message = (error as PgsyncError).message;
    expect(message).toContain('a connection pooler rejected the startup parameter "options"');
    expect(message).toContain("use the direct (unpooled) endpoint");
    expect(message).toContain("not retried");
  });

  it("refuses the session-level destination lock behind the pooler", async () => {
    const db = await fresh();
    const c = await connect({ url: bouncer.url(db.name), side: "destination", connectSeconds: 5 });
    try {
      const error = await acquireDestinationLock(c.client, { wait: false, waitSeconds: 0 }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(PgsyncError);
      expect((error as PgsyncError).kind).toBe("guard");
      expect((error as PgsyncError).message).toContain("goes through a connection pooler");
    } finally {
      await c.close();
    }
  });
});
