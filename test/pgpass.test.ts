/**
 * A connection string without a password takes it from the password file, as libpq would, and
 * stderr stays JSON lines (node-postgres' own .pgpass support prints a DeprecationWarning there).
 */
import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "./helpers/cli.js";
import { databasesForThisFile } from "./helpers/pairs.js";
import { type PgMajor, testMajors, withClient } from "./helpers/pg-servers.js";

const fresh = databasesForThisFile();
const majors = testMajors();
const major = majors[majors.length - 1] as PgMajor;

/** The URL without its password, and a password file line that supplies it. */
function withoutPassword(url: string): { url: string; line: string } {
  const parsed = new URL(url);
  const password = decodeURIComponent(parsed.password);
  parsed.password = "";
  const escapeField = (text: string) => text.replace(/\\/g, "\\\\").replace(/:/g, "\\:");
  return {
    url: parsed.toString(),
    line: `${parsed.hostname}:${parsed.port}:*:${decodeURIComponent(parsed.username)}:${escapeField(password)}`,
  };
}

describe("connection strings without a password", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "pgsync-pgpass-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("use the password file, and stderr holds JSON lines only", async () => {
    const source = await fresh(major);
    const destination = await fresh(major);
    await withClient(source.url, (client) =>
      client.query(
        "CREATE TABLE items (id int PRIMARY KEY, label text); INSERT INTO items SELECT g, 'x' || g FROM generate_series(1, 50) g",
      ),
    );
    const from = withoutPassword(source.url);
    const to = withoutPassword(destination.url);
    const file = join(dir, "pgpass");
    await writeFile(file, `# written by the test\n${from.line}\n`, { mode: 0o600 });

    const result = await runCli(["run", "--from", from.url, "--to", to.url], {
      PGPASSFILE: file,
      PGPASSWORD: undefined,
    });
    expect(result.stderr).not.toMatch(/DeprecationWarning|pgpass support/);
    expect(result.code).toBe(0);
    const lines = result.stderr.split("\n").filter((line) => line !== "");
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(() => JSON.parse(line), line).not.toThrow();
    const rows = await withClient(destination.url, async (client) => {
      const r = await client.query<{ n: string }>("SELECT count(*) AS n FROM public.items");
      return Number(r.rows[0]?.n);
    });
    expect(rows).toBe(50);
  });

  it("says why the password file gave no password", async () => {
    const source = await fresh(major);
    const from = withoutPassword(source.url);
    const file = join(dir, "loose-pgpass");
    await writeFile(file, `${from.line}\n`);
    await chmod(file, 0o644);
    const loose = await runCli(["verify", "--from", from.url, "--to", source.url, "--method", "counts"], {
      PGPASSFILE: file,
      PGPASSWORD: undefined,
    });
    expect(loose.code).not.toBe(0);
    expect(loose.stdout + loose.stderr).toContain(
      `the password file ${file} is not used because others can read it (chmod 600 ${file})`,
    );
    // Nothing of the password file reached the output.
    expect(loose.stdout + loose.stderr).not.toContain(from.line.split(":").slice(4).join(":"));

    const none = await runCli(["verify", "--from", from.url, "--to", source.url, "--method", "counts"], {
      PGPASSFILE: join(dir, "no-such-file"),
      PGPASSWORD: undefined,
    });
    expect(none.code).not.toBe(0);
    expect(none.stdout + none.stderr).toMatch(
      /cannot connect to the source .*the server asks for a password, and none is given.*there is no password file/,
    );
  });
});
