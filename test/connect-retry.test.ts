/**
 * Connecting retries what a retry can fix (the server starting up, too many connections, nobody
 * listening yet) and fails at once on what it cannot (bad password, missing database, missing
 * privilege, a host name that does not resolve). Every case is produced by a real server; the
 * retried cases are resolved from inside the retry callback, so no test depends on timing.
 */
import { chownSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { connect } from "../src/db/connect.js";
import type { RetryInfo } from "../src/db/retry.js";
import { pickFreePort, serverOsUser } from "../src/embedded/server.js";
import { PgsyncError, serverFields } from "../src/errors.js";
import {
  createRole,
  createServer,
  type FreshDatabase,
  freshDatabase,
  type PgMajor,
  type ServerHandle,
  sharedServer,
  testMajors,
  withClient,
} from "./helpers/pg-servers.js";

const databases: FreshDatabase[] = [];
const servers: ServerHandle[] = [];
afterAll(async () => {
  await Promise.all(databases.map((d) => d.drop()));
  await Promise.all(servers.map((s) => s.stop()));
});

function codeOf(error: unknown): string | undefined {
  return serverFields(error)?.code ?? (error as { code?: string }).code;
}

async function connectError(url: string, retries: RetryInfo[]): Promise<PgsyncError> {
  const error = await connect({
    url,
    side: "source",
    connectSeconds: 20,
    onRetry: (r) => retries.push(r),
  }).then(
    async (c) => {
      await c.close();
      return undefined;
    },
    (e: unknown) => e,
  );
  if (!(error instanceof PgsyncError)) throw new Error(`expected a PgsyncError, got ${String(error)}`);
  return error;
}

describe.each(testMajors())("connecting to PostgreSQL %i", (major) => {
  const server = () => sharedServer(major as PgMajor);

  it("retries 53300 (too many connections for the role) until a slot frees up", async () => {
    const db = await freshDatabase(major as PgMajor);
    databases.push(db);
    const role = await createRole(major as PgMajor, "retry_limited", { password: "retry-pw-1" });
    await withClient(server().superuserUrl(), (c) => c.query("ALTER ROLE retry_limited CONNECTION LIMIT 1"));
    const holder = await connect({ url: role.url(db.name), side: "source", connectSeconds: 5 });
    const retries: RetryInfo[] = [];
    // The one slot is taken: the first attempt gets 53300; freeing it from the retry callback lets a later one in.
    const c = await connect({
      url: role.url(db.name),
      side: "source",
      connectSeconds: 30,
      onRetry: (r) => {
        retries.push(r);
        if (retries.length === 1) void holder.close();
      },
    });
    try {
      expect(codeOf(retries[0]?.error)).toBe("53300");
      expect(retries[0]?.reason).toBe("too many connections");
      expect(c.attempts).toBe(retries.length + 1);
      const who = await c.client.query<{ u: string }>("SELECT current_user AS u");
      expect(who.rows[0]?.u).toBe("retry_limited");
    } finally {
      await c.close();
      await holder.close();
    }
  });

  it("never retries a wrong password (28P01)", async () => {
    const retries: RetryInfo[] = [];
    const error = await connectError(server().url("postgres", "postgres", "not-the-password"), retries);
    expect(error.context.server?.code).toBe("28P01");
    expect(error.message).toContain("the password was rejected");
    expect(error.message).toContain("not retried");
    expect(error.message).not.toContain("not-the-password");
    expect(retries).toEqual([]);
  });

  it("never retries a missing database (3D000)", async () => {
    const retries: RetryInfo[] = [];
    const error = await connectError(server().url("no_such_database_here"), retries);
    expect(error.context.server?.code).toBe("3D000");
    expect(error.message).toContain("the database does not exist");
    expect(retries).toEqual([]);
  });

  it("never retries a missing CONNECT privilege (42501)", async () => {
    const db = await freshDatabase(major as PgMajor);
    databases.push(db);
    const role = await createRole(major as PgMajor, "retry_no_connect", { password: "retry-pw-2" });
    await withClient(db.url, (c) => c.query(`REVOKE CONNECT ON DATABASE ${db.name} FROM PUBLIC`));
    const retries: RetryInfo[] = [];
    const error = await connectError(role.url(db.name), retries);
    expect(error.context.server?.code).toBe("42501");
    expect(error.message).toContain("the role lacks a privilege needed to connect");
    expect(retries).toEqual([]);
  });
});

describe("connecting to a server that is not there", () => {
  it("never retries a host name that does not resolve (ENOTFOUND)", async () => {
    const retries: RetryInfo[] = [];
    const error = await connectError("postgres://u:pw-enotfound@no-such-host.invalid:5432/db", retries);
    expect(error.message).toContain('the host name "no-such-host.invalid" does not resolve');
    expect(error.message).toContain("not retried");
    expect(retries).toEqual([]);
  });

  it("retries a refused connection for timeouts.connectSeconds, then says how long it tried", async () => {
    const port = await pickFreePort();
    const retries: RetryInfo[] = [];
    const error = await connect({
      url: `postgres://u:pw-refused@127.0.0.1:${port}/db`,
      side: "destination",
      connectSeconds: 2,
      onRetry: (r) => retries.push(r),
    }).catch((e: unknown) => e as PgsyncError);
    expect(error).toBeInstanceOf(PgsyncError);
    expect((error as PgsyncError).kind).toBe("connection");
    expect(retries.length).toBeGreaterThanOrEqual(1);
    expect(retries.every((r) => r.reason === "ECONNREFUSED")).toBe(true);
    expect((error as PgsyncError).message).toMatch(
      new RegExp(`gave up after ${retries.length + 1} attempts in [0-9.]+ s; timeouts.connectSeconds is 2`),
    );
  });
});

describe.each(testMajors())(
  "a PostgreSQL %i server that is not accepting connections yet (57P03)",
  (major) => {
    it("is retried until it is promoted and takes the connection", async () => {
      // A standby without hot_standby answers every login with 57P03, as a server does while it starts
      // up; promoting it (pg_ctl promote's signal file plus SIGUSR1) makes it accept connections.
      const handle = await createServer({
        major: major as PgMajor,
        name: "standby",
        settings: { hot_standby: false },
      });
      servers.push(handle);
      const user = await serverOsUser();
      const signal = (name: string) => {
        const path = join(handle.dataDir, name);
        writeFileSync(path, "");
        if (user.uid !== undefined && user.gid !== undefined) chownSync(path, user.uid, user.gid);
      };
      signal("standby.signal");
      const started = handle.start(); // resolves once the server takes logins, i.e. after the promotion
      const retries: RetryInfo[] = [];
      let promoted = false;
      const c = await connect({
        url: handle.url(),
        side: "source",
        connectSeconds: 60,
        onRetry: (r) => {
          retries.push(r);
          if (!promoted && codeOf(r.error) === "57P03" && handle.pid !== undefined) {
            promoted = true;
            signal("promote");
            process.kill(handle.pid, "SIGUSR1");
          }
        },
      });
      try {
        await started;
        expect(promoted).toBe(true);
        const standbyRefusal = retries.find((r) => codeOf(r.error) === "57P03");
        expect(standbyRefusal?.reason).toBe("the server is starting up or not accepting connections yet");
        const recovery = await c.client.query<{ r: boolean }>("SELECT pg_catalog.pg_is_in_recovery() AS r");
        expect(recovery.rows[0]?.r).toBe(false);
      } finally {
        await c.close();
      }
    });
  },
);
