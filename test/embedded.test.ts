import { existsSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import {
  createRole,
  createServer,
  freshDatabase,
  sharedServer,
  startPostgres,
  testMajors,
  withClient,
} from "./helpers/pg-servers.js";

describe.each(testMajors())("embedded PostgreSQL %i", (major) => {
  it("shared server runs the requested major", async () => {
    const server = sharedServer(major);
    expect(server.version.startsWith(`${major}.`)).toBe(true);
    const versionNum = await withClient(server.superuserUrl(), async (client) => {
      const result = await client.query<{ server_version_num: string }>("SHOW server_version_num");
      return Number(result.rows[0]?.server_version_num);
    });
    expect(Math.floor(versionNum / 10_000)).toBe(major);
  });

  it("freshDatabase gives an empty UTF8 database that can be dropped", async () => {
    const db = await freshDatabase(major);
    expect(db.name).toMatch(/^t_[0-9a-f]+$/);
    const { relations, encoding } = await withClient(db.url, async (client) => {
      const rel = await client.query<{ n: string }>(
        "SELECT count(*) AS n FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace " +
          "WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')",
      );
      const enc = await client.query<{ server_encoding: string }>("SHOW server_encoding");
      // The database is usable, not just present.
      await client.query("CREATE TABLE probe (id int PRIMARY KEY)");
      return { relations: Number(rel.rows[0]?.n), encoding: enc.rows[0]?.server_encoding };
    });
    expect(relations).toBe(0);
    expect(encoding).toBe("UTF8");

    await db.drop();
    const stillThere = await withClient(sharedServer(major).superuserUrl(), async (client) => {
      const result = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [db.name]);
      return result.rowCount;
    });
    expect(stillThere).toBe(0);
  });

  it("createRole makes a login role that can own and use a fresh database", async () => {
    const role = await createRole(major, "embedded_test_owner", { password: "p@ss w:rd/1", createdb: true });
    // Idempotent: a second call just re-applies the attributes.
    await createRole(major, "embedded_test_owner", { password: "p@ss w:rd/1", createdb: true });
    const db = await freshDatabase(major, { owner: role.name });
    try {
      const who = await withClient(db.urlAs(role.name, role.password), async (client) => {
        await client.query("CREATE TABLE owned (id int)");
        const result = await client.query<{ u: string; owner: string }>(
          "SELECT current_user AS u, pg_get_userbyid(datdba) AS owner FROM pg_database WHERE datname = current_database()",
        );
        return result.rows[0];
      });
      expect(who).toEqual({ u: role.name, owner: role.name });
    } finally {
      await db.drop();
    }
  });

  it("starts a private server with extra settings and removes its data dir on stop", async () => {
    const server = await startPostgres({ major, name: "custom", settings: { work_mem: "7MB" } });
    try {
      expect(server.version.startsWith(`${major}.`)).toBe(true);
      const settings = await withClient(server.url(), async (client) => {
        const result = await client.query<{ work_mem: string; fsync: string; listen: string }>(
          "SELECT current_setting('work_mem') AS work_mem, current_setting('fsync') AS fsync, " +
            "current_setting('listen_addresses') AS listen",
        );
        return result.rows[0];
      });
      expect(settings).toEqual({ work_mem: "7MB", fsync: "off", listen: "127.0.0.1" });
    } finally {
      await server.stop();
    }
    expect(existsSync(server.dataDir)).toBe(false);
    await server.stop(); // idempotent
  });

  it("a server created now can be started later", async () => {
    const server = await createServer({ major, name: "late" });
    try {
      expect(server.running).toBe(false);
      // The URL is known before the server runs; connecting now must fail.
      await expect(withClient(server.url(), async () => {})).rejects.toThrow(/ECONNREFUSED|connect/);
      await sleep(1_000);
      await server.start();
      expect(server.running).toBe(true);
      const one = await withClient(
        server.url(),
        async (client) => (await client.query("SELECT 1 AS one")).rows[0],
      );
      expect(one).toEqual({ one: 1 });
    } finally {
      await server.stop();
    }
    expect(server.running).toBe(false);
  });
});

describe("embedded PostgreSQL failures", () => {
  const major = testMajors()[0] ?? 17;

  it("a server that cannot start reports the tail of its log", async () => {
    await expect(
      startPostgres({ major, name: "broken", settings: { shared_buffers: "lots" } }),
    ).rejects.toThrow(/failed to start[\s\S]*shared_buffers/);
  });
});
