import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { findPgpassPassword, lookupPgpass, parsePgpass, pgpassFile } from "../../src/db/pgpass.js";

const key = { host: "db.example.com", port: "5432", database: "app", user: "alice" };

describe("the password file", () => {
  it("splits five fields on unescaped colons, keeping escaped colons and backslashes", () => {
    const entries = parsePgpass(
      [
        "# a comment:with:five:colons:here",
        "",
        "db.example.com:5432:app:alice:s3cret",
        "h\\:x:*:*:bob:pa\\:ss\\\\word",
        "short:line:only",
        "*:*:*:carol:with:colons:inside\r",
      ].join("\n"),
    );
    expect(entries).toEqual([
      { match: ["db.example.com", "5432", "app", "alice"], password: "s3cret" },
      { match: ["h:x", "*", "*", "bob"], password: "pa:ss\\word" },
      { match: ["*", "*", "*", "carol"], password: "with:colons:inside" },
    ]);
  });

  it("takes the first entry that matches, with * matching anything", () => {
    const entries = parsePgpass(
      [
        "other.example.com:*:*:*:wrong-host",
        "db.example.com:6432:*:*:wrong-port",
        "db.example.com:*:other:alice:wrong-db",
        "*:5432:app:alice:first",
        "*:*:*:*:catch-all",
      ].join("\n"),
    );
    expect(findPgpassPassword(entries, key)).toBe("first");
    expect(findPgpassPassword(entries, { ...key, user: "bob" })).toBe("catch-all");
    expect(findPgpassPassword(entries.slice(0, 3), key)).toBeUndefined();
  });

  it("matches a Unix-socket connection against localhost entries", () => {
    const entries = parsePgpass("localhost:5432:app:alice:local");
    expect(findPgpassPassword(entries, { ...key, host: "/var/run/postgresql" })).toBe("local");
    expect(findPgpassPassword(entries, { ...key, host: "" })).toBe("local");
    expect(findPgpassPassword(entries, key)).toBeUndefined();
  });

  const dirs: string[] = [];
  afterAll(async () => {
    await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
  });

  it("is PGPASSFILE, else ~/.pgpass, and is not used when others can read it", async () => {
    expect(pgpassFile({ PGPASSFILE: "/etc/my-pgpass", HOME: "/home/me" })).toBe("/etc/my-pgpass");
    expect(pgpassFile({ HOME: "/home/me" })).toBe("/home/me/.pgpass");

    const dir = await mkdtemp(join(tmpdir(), "pgsync-pgpass-"));
    dirs.push(dir);
    const file = join(dir, "pgpass");
    await writeFile(file, "db.example.com:5432:app:alice:s3cret\n", { mode: 0o600 });
    expect(await lookupPgpass(key, { PGPASSFILE: file })).toEqual({ found: true, password: "s3cret" });
    const missing = await lookupPgpass({ ...key, user: "bob" }, { PGPASSFILE: file });
    expect(missing).toEqual({
      found: false,
      reason: `the password file ${file} has no entry for db.example.com:5432:app:bob`,
    });
    await chmod(file, 0o640);
    const loose = await lookupPgpass(key, { PGPASSFILE: file });
    expect(loose.found).toBe(false);
    expect(loose.found ? "" : loose.reason).toMatch(/not used because others can read it \(chmod 600 /);
    expect(await lookupPgpass(key, { PGPASSFILE: join(dir, "none") })).toEqual({
      found: false,
      reason: `there is no password file ${join(dir, "none")}`,
    });
    expect((await lookupPgpass(key, { PGPASSFILE: dir })).found).toBe(false);
  });
});
