/**
 * The data directory: a private temp dir of ours or one the caller gives, initialised with initdb
 * when it holds no cluster yet, or reused when it holds one of the right major.
 */
import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { PgsyncError } from "../errors.js";
import type { PgBinaries } from "./binaries.js";
import { SUPERUSER } from "./options.js";
import { giveToServerUser, type ServerOsUser, unenterableAncestor } from "./os-user.js";
import { runTool } from "./process.js";

export interface DataDirRequest {
  readonly binaries: PgBinaries;
  readonly user: ServerOsUser;
  /** Used in the temp dir's name. */
  readonly label: string;
  /** Undefined: a fresh temp dir that the caller owns (and removes). */
  readonly dataDir: string | undefined;
  readonly superuserPassword: string | undefined;
  readonly fast: boolean;
}

export interface PreparedDataDir {
  readonly dataDir: string;
  /** The temp dir we created (it holds the data dir), to remove on stop. */
  readonly ownedBaseDir: string | undefined;
  readonly superuserPassword: string;
}

export async function prepareDataDir(request: DataDirRequest): Promise<PreparedDataDir> {
  const { binaries, user } = request;
  const major = binaries.major;
  let ownedBaseDir: string | undefined;
  let dataDir: string;
  if (request.dataDir === undefined) {
    // mkdtemp makes a 0700 dir; handing it to the server user keeps it private to that user.
    ownedBaseDir = await mkdtemp(join(tmpdir(), `pgsync-ts-${request.label}-`));
    await giveToServerUser(ownedBaseDir, user);
    dataDir = join(ownedBaseDir, "data");
  } else {
    dataDir = resolve(request.dataDir);
    await mkdir(dirname(dataDir), { recursive: true });
    const blocked = user.uid !== undefined ? await unenterableAncestor(dataDir) : undefined;
    if (blocked !== undefined) {
      throw new PgsyncError(
        "config",
        `the server runs as "${user.name}", which cannot enter ${blocked} (no o+x) on the way to ${dataDir}`,
        { object: `data directory ${dataDir}` },
      );
    }
  }

  try {
    const existingMajor = await readClusterMajor(dataDir);
    if (existingMajor !== undefined) {
      if (existingMajor !== major) {
        throw new PgsyncError(
          "config",
          `${dataDir} holds a PostgreSQL ${existingMajor} cluster, not ${major}`,
          {
            object: `data directory ${dataDir}`,
          },
        );
      }
      if (request.superuserPassword === undefined) {
        throw new PgsyncError("usage", `${dataDir} already holds a cluster: pass its superuserPassword`, {
          object: `data directory ${dataDir}`,
        });
      }
      return { dataDir, ownedBaseDir, superuserPassword: request.superuserPassword };
    }
    const password = request.superuserPassword ?? randomBytes(18).toString("base64url");
    await initCluster(binaries, user, dataDir, password, request.fast);
    return { dataDir, ownedBaseDir, superuserPassword: password };
  } catch (error) {
    if (ownedBaseDir) await rm(ownedBaseDir, { recursive: true, force: true });
    throw error;
  }
}

async function initCluster(
  binaries: PgBinaries,
  user: ServerOsUser,
  dataDir: string,
  password: string,
  fast: boolean,
): Promise<void> {
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  await giveToServerUser(dataDir, user, 0o700);
  // initdb wants an empty data dir, so the password file lives in its own private temp dir.
  const secretDir = await mkdtemp(join(tmpdir(), "pgsync-ts-pw-"));
  try {
    await giveToServerUser(secretDir, user, 0o700);
    const pwfile = join(secretDir, "pw");
    await writeFile(pwfile, `${password}\n`, { mode: 0o600 });
    await giveToServerUser(pwfile, user, 0o600);
    const args = [
      "-D",
      dataDir,
      "-U",
      SUPERUSER,
      "--auth=scram-sha-256",
      `--pwfile=${pwfile}`,
      "--encoding=UTF8",
      // Plain C: available everywhere and identical on 14-18 (C.UTF-8 is a libc locale not every
      // host has, and only 17+ has the builtin provider).
      "--locale=C",
      "--no-instructions",
      ...(fast ? ["--no-sync"] : []),
    ];
    const { code, output } = await runTool(binaries, binaries.initdb, args, user, secretDir).catch(
      (error: unknown) => {
        throw new PgsyncError(
          "config",
          `initdb for PostgreSQL ${binaries.major} could not be started: ${error instanceof Error ? error.message : String(error)}`,
          { object: `data directory ${dataDir}` },
          { cause: error },
        );
      },
    );
    if (code !== 0) {
      throw new PgsyncError(
        "config",
        `initdb for PostgreSQL ${binaries.major} failed (exit ${code}):\n${output.trim()}`,
        { object: `data directory ${dataDir}` },
      );
    }
  } finally {
    await rm(secretDir, { recursive: true, force: true });
  }
}

async function readClusterMajor(dataDir: string): Promise<number | undefined> {
  try {
    return Number.parseInt(await readFile(join(dataDir, "PG_VERSION"), "utf8"), 10);
  } catch (error) {
    // No cluster yet: initdb creates one (and refuses a non-empty directory by itself).
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}
