/**
 * Finds a pg_dump, pg_restore and psql whose major version fits the servers (the same major), so
 * that the pg_dump peers compare like with like. Debian installs each major under
 * /usr/lib/postgresql/<major>/bin; a PATH pg_dump of the same major also counts.
 */
import { execFile } from "node:child_process";
import { access, constants } from "node:fs/promises";
import { promisify } from "node:util";

const run = promisify(execFile);

export interface PgTools {
  readonly pgDump: string;
  readonly pgRestore: string;
  readonly psql: string;
  /** `pg_dump --version`, e.g. "pg_dump (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)". */
  readonly version: string;
}

export type ToolSearch = { readonly found: PgTools } | { readonly missing: string };

async function versionOf(binary: string): Promise<string | undefined> {
  try {
    await access(binary, constants.X_OK);
    const { stdout } = await run(binary, ["--version"]);
    return stdout.trim();
  } catch {
    return undefined;
  }
}

export function majorOf(version: string): number | undefined {
  const m = /\)\s+(\d+)/.exec(version);
  return m ? Number(m[1]) : undefined;
}

export async function findPgTools(major: number): Promise<ToolSearch> {
  const dirs = [`/usr/lib/postgresql/${major}/bin`, ...(process.env.PATH ?? "").split(":").filter(Boolean)];
  const seen: string[] = [];
  for (const dir of dirs) {
    const version = await versionOf(`${dir}/pg_dump`);
    if (version === undefined) continue;
    seen.push(`${dir}/pg_dump: ${version}`);
    if (majorOf(version) !== major) continue;
    const [restore, psql] = await Promise.all([versionOf(`${dir}/pg_restore`), versionOf(`${dir}/psql`)]);
    if (restore && psql && majorOf(restore) === major && majorOf(psql) === major) {
      return {
        found: { pgDump: `${dir}/pg_dump`, pgRestore: `${dir}/pg_restore`, psql: `${dir}/psql`, version },
      };
    }
  }
  return {
    missing:
      seen.length === 0
        ? `no pg_dump found (looked in /usr/lib/postgresql/${major}/bin and PATH); scripts/provision.sh bench installs Debian's postgresql-client-15`
        : `no pg_dump/pg_restore/psql of major ${major} (found ${seen.join("; ")})`,
  };
}

/** Debian's pgcopydb (a benchmark peer), with its version line; undefined when not installed. */
export async function findPgcopydb(): Promise<{ binary: string; version: string } | undefined> {
  for (const dir of ["/usr/bin", ...(process.env.PATH ?? "").split(":").filter(Boolean)]) {
    const binary = `${dir}/pgcopydb`;
    try {
      await access(binary, constants.X_OK);
      // pgcopydb logs on stderr; `version` prints "pgcopydb version 0.10-1" and the PostgreSQL it was built with.
      const { stdout } = await run(binary, ["version"]);
      return { binary, version: stdout.trim().split("\n")[0] ?? "pgcopydb" };
    } catch {}
  }
  return undefined;
}
