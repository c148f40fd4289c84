import { existsSync } from "node:fs";
import { cp, mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, describe, expect, it } from "vitest";
import { BinariesNotInstalledError, findPackageDir, packageSearchRoots } from "../src/embedded/binaries.js";
import { embeddedCacheDir } from "../src/embedded/cache-dir.js";
import { installCommand } from "../src/embedded/versions.js";
import { PgsyncError } from "../src/errors.js";
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
  const dirs: string[] = [];
  const tempDir = async (prefix: string) => {
    const dir = await mkdtemp(join(tmpdir(), prefix));
    dirs.push(dir);
    return dir;
  };
  afterAll(async () => {
    await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
  });

  it("a server that cannot start reports the tail of its log, as a PgsyncError naming the server", async () => {
    const error = await startPostgres({ major, name: "broken", settings: { shared_buffers: "lots" } }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(PgsyncError);
    const failure = error as PgsyncError;
    expect(failure.message).toMatch(/failed to start[\s\S]*shared_buffers/);
    expect(failure.kind).toBe("connection");
    expect(failure.context.object).toMatch(
      new RegExp(`^PostgreSQL ${major} server on 127\\.0\\.0\\.1:\\d+$`),
    );
  });

  it("refuses bad options before creating anything", async () => {
    const logDir = join(await tempDir("pgsync-ts-refused-"), "logs");
    const refused = async (options: Parameters<typeof startPostgres>[0]) => {
      const error = await startPostgres({ ...options, logDir }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(PgsyncError);
      return error as PgsyncError;
    };
    expect((await refused({ major, settings: { "work_mem; x": "1MB" } })).message).toMatch(
      /invalid setting name/,
    );
    expect((await refused({ major, settings: { work_mem: "1MB\nfsync = off" } })).message).toMatch(
      /single line/,
    );
    expect(
      (await refused({ major, hbaLines: ["host all all 0.0.0.0/0 trust\nlocal all all trust"] })).kind,
    ).toBe("usage");
    expect((await refused({ major: 13 as typeof major })).message).toMatch(
      /unsupported PostgreSQL major version: 13/,
    );
    // Not even the log directory was made.
    expect(existsSync(logDir)).toBe(false);
  });

  it("refuses a data directory that holds another major's cluster, or one without its password", async () => {
    const other = await tempDir("pgsync-ts-datadir-");
    await writeFile(join(other, "PG_VERSION"), `${major === 14 ? 15 : 14}\n`);
    await expect(createServer({ major, dataDir: other })).rejects.toThrow(
      new RegExp(`holds a PostgreSQL ${major === 14 ? 15 : 14} cluster, not ${major}`),
    );
    const same = await tempDir("pgsync-ts-datadir-");
    await writeFile(join(same, "PG_VERSION"), `${major}\n`);
    const error = await createServer({ major, dataDir: same }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PgsyncError);
    expect((error as PgsyncError).message).toMatch(/already holds a cluster: pass its superuserPassword/);
    // The caller's directory is never removed.
    expect(existsSync(join(same, "PG_VERSION"))).toBe(true);
  });

  it("finds the binaries' package below any search root, and says how to install a missing one", async () => {
    // A package laid out as `demo --install` leaves it in the cache: root/node_modules/pg<major>.
    const installed = await findPackageDir(major, [process.cwd()]);
    if (installed === undefined) throw new Error(`pg${major} is not installed in the checkout`);
    const root = await tempDir("pgsync-ts-cache-");
    const copy = join(root, "node_modules", `pg${major}`);
    await mkdir(copy, { recursive: true });
    await cp(join(installed, "package.json"), join(copy, "package.json"));
    await cp(join(installed, "dist"), join(copy, "dist"), { recursive: true });
    await symlink(join(installed, "native"), join(copy, "native"));
    const empty = await tempDir("pgsync-ts-empty-");

    expect(await findPackageDir(major, [empty, root])).toBe(copy);
    expect(await findPackageDir(major, [empty])).toBeUndefined();
    expect(packageSearchRoots()).toContain(embeddedCacheDir());

    const missing = new BinariesNotInstalledError([major], [empty]);
    expect(missing.kind).toBe("config");
    expect(missing.message).toContain(`Install with: ${installCommand([major])}`);
  });
});
