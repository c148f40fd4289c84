/**
 * Throw-away PostgreSQL servers (majors 14-18) started from the npm-packaged binaries, for the test
 * suite and the `demo` command.
 *
 * The postmaster is spawned directly (not through pg_ctl) so that we own its pid: stopping is a
 * signal (SIGINT = pg_ctl's "fast" mode, SIGQUIT = "immediate"), and a process 'exit' hook can
 * kill whatever is still running when the test run dies, leaving no postgres behind.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { closeSync, existsSync, openSync, rmSync } from "node:fs";
import { chmod, chown, mkdir, mkdtemp, open, readFile, rm, writeFile } from "node:fs/promises";
import { createServer as createNetServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import pg from "pg";
import {
  isPgMajor,
  type PgBinaries,
  type PgMajor,
  pgBinaries,
  type ServerOsUser,
  serverOsUser,
  unenterableAncestor,
} from "./binaries.js";

export {
  isPgMajor,
  PG_MAJORS,
  type PgMajor,
  parseMajors,
  type ServerOsUser,
  serverOsUser,
} from "./binaries.js";

export type SettingValue = string | number | boolean;

export interface StartOptions {
  major: PgMajor;
  /** Default: a free port picked by the OS. */
  port?: number;
  /** Extra postgresql.conf settings, e.g. `{ ssl: "on", ssl_cert_file: "/path/cert.pem" }`. */
  settings?: Record<string, SettingValue>;
  /** Extra pg_hba.conf lines, inserted before the default ones (first match wins). */
  hbaLines?: string[];
  /** Default: a random one. Required when `dataDir` already holds a cluster. */
  superuserPassword?: string;
  /** Default true: fsync, synchronous_commit and full_page_writes off. False keeps durable defaults. */
  fast?: boolean;
  /** Default: a fresh temp dir, removed by stop(). A given dir is initialised if empty and never removed. */
  dataDir?: string;
  /** Label used in log and temp dir names (`<name>-pg<major>-…`). */
  name?: string;
  /** Where the server log goes. Default `<tmp>/pgsync-ts-logs`; logs are kept after stop() for post-mortems. */
  logDir?: string;
  /** How long start() waits for the server to accept connections. Default 60 s. */
  startTimeoutMs?: number;
}

export interface EmbeddedServer {
  readonly major: PgMajor;
  /** Full `server_version` as reported by the server; "" until the first successful start. */
  readonly version: string;
  readonly host: string;
  readonly port: number;
  readonly superuser: string;
  readonly superuserPassword: string;
  readonly dataDir: string;
  readonly logFile: string;
  /** `postgres://user:pass@127.0.0.1:port/db`, URL-encoded. Defaults: `postgres` db, the superuser. */
  url(database?: string, user?: string, password?: string): string;
  /** Fast shutdown (idempotent), then removes the data dir if it was created by us. */
  stop(): Promise<void>;
}

/** A server that exists on disk and can be started, stopped and restarted at will. */
export interface ServerHandle extends EmbeddedServer {
  readonly running: boolean;
  /** Postmaster pid while running. */
  readonly pid: number | undefined;
  /** Starts the postmaster and waits until it accepts connections. No-op while running. */
  start(): Promise<EmbeddedServer>;
  /** Stops the postmaster but keeps the data dir, so start() can be called again ("immediate" = crash). */
  shutdown(mode?: "fast" | "immediate"): Promise<void>;
}

const HOST = "127.0.0.1";
const SUPERUSER = "postgres";
const CONF_FILE = "pgsync-ts.conf";
const HBA_BEGIN = "# --- pgsync-ts: begin (rewritten on every start) ---";
const HBA_END = "# --- pgsync-ts: end ---";

/**
 * Builds `postgres://user:pass@host:port/db` with every part URL-encoded. Without `user` the
 * superuser and its password are used; a user without a password gets a password-less URL.
 */
export function postgresUrl(
  server: { host: string; port: number; superuser: string; superuserPassword: string },
  database = "postgres",
  user?: string,
  password?: string,
): string {
  const name = user ?? server.superuser;
  const secret = password ?? (name === server.superuser ? server.superuserPassword : undefined);
  const auth =
    secret === undefined
      ? encodeURIComponent(name)
      : `${encodeURIComponent(name)}:${encodeURIComponent(secret)}`;
  return `postgres://${auth}@${server.host}:${server.port}/${encodeURIComponent(database)}`;
}

/**
 * Creates (initdb) a server without starting it, so a test can publish its URL first and start it
 * later. The port is fixed now, because callers may already have handed out `url()`.
 */
export async function createServer(options: StartOptions): Promise<ServerHandle> {
  const server = await PostgresServer.create(options);
  return server;
}

/** createServer + start. When the OS-picked port was grabbed in between, retries with another one. */
export async function startPostgres(options: StartOptions): Promise<EmbeddedServer> {
  const server = await PostgresServer.create(options);
  for (let attempt = 1; ; attempt++) {
    try {
      return await server.start();
    } catch (error) {
      const retry = options.port === undefined && attempt < 3 && error instanceof PortInUseError;
      if (!retry) {
        await server.stop().catch(() => {});
        throw error;
      }
      await server.changePort(await pickFreePort());
    }
  }
}

class PortInUseError extends Error {}

class PostgresServer implements ServerHandle {
  readonly host = HOST;
  readonly superuser = SUPERUSER;
  version = "";
  #port: number;
  #child: ChildProcess | undefined;
  #exited: Promise<void> | undefined;
  #stopped: Promise<void> | undefined;
  #starting: Promise<EmbeddedServer> | undefined;

  private constructor(
    readonly major: PgMajor,
    readonly superuserPassword: string,
    readonly dataDir: string,
    readonly logFile: string,
    port: number,
    /** Temp dir we created (holds the data dir); removed on stop(). */
    private readonly ownedBaseDir: string | undefined,
    private readonly binaries: PgBinaries,
    private readonly user: ServerOsUser,
    private readonly options: StartOptions,
  ) {
    this.#port = port;
  }

  static async create(options: StartOptions): Promise<PostgresServer> {
    if (!isPgMajor(options.major)) throw new Error(`unsupported PostgreSQL major version: ${options.major}`);
    const major = options.major;
    const [binaries, user] = await Promise.all([pgBinaries(major), serverOsUser()]);
    const label = options.name
      ? `${options.name.replace(/[^A-Za-z0-9_.-]+/g, "_")}-pg${major}`
      : `pg${major}`;
    const port = options.port ?? (await pickFreePort());

    const logDir = options.logDir ?? join(tmpdir(), "pgsync-ts-logs");
    await mkdir(logDir, { recursive: true });
    const stamp = new Date().toISOString().replace(/[:.]/g, "-");
    const logFile = join(logDir, `${label}-${stamp}-${randomBytes(3).toString("hex")}.log`);

    let ownedBaseDir: string | undefined;
    let dataDir: string;
    if (options.dataDir === undefined) {
      // mkdtemp makes a 0700 dir; handing it to the server user keeps it private to that user.
      ownedBaseDir = await mkdtemp(join(tmpdir(), `pgsync-ts-${label}-`));
      await giveToServerUser(ownedBaseDir, user);
      dataDir = join(ownedBaseDir, "data");
    } else {
      dataDir = resolve(options.dataDir);
      await mkdir(dirname(dataDir), { recursive: true });
      const blocked = user.uid !== undefined ? await unenterableAncestor(dataDir) : undefined;
      if (blocked !== undefined) {
        throw new Error(
          `the server runs as "${user.name}", which cannot enter ${blocked} (no o+x) on the way to ${dataDir}`,
        );
      }
    }

    let password = options.superuserPassword;
    try {
      const existingMajor = await readClusterMajor(dataDir);
      if (existingMajor !== undefined) {
        if (existingMajor !== major) {
          throw new Error(`${dataDir} holds a PostgreSQL ${existingMajor} cluster, not ${major}`);
        }
        if (password === undefined) {
          throw new Error(`${dataDir} already holds a cluster: pass its superuserPassword`);
        }
      } else {
        password ??= randomBytes(18).toString("base64url");
        await initCluster(binaries, user, dataDir, password, options.fast ?? true);
      }
    } catch (error) {
      if (ownedBaseDir) await rm(ownedBaseDir, { recursive: true, force: true });
      throw error;
    }
    return new PostgresServer(major, password, dataDir, logFile, port, ownedBaseDir, binaries, user, options);
  }

  get port(): number {
    return this.#port;
  }

  get running(): boolean {
    return this.#child !== undefined;
  }

  get pid(): number | undefined {
    return this.#child?.pid;
  }

  url(database = "postgres", user?: string, password?: string): string {
    return postgresUrl(this, database, user, password);
  }

  /** Only before the first start (startPostgres' retry when the picked port was taken meanwhile). */
  async changePort(port: number): Promise<void> {
    if (this.running) throw new Error("cannot change the port of a running server");
    this.#port = port;
  }

  start(): Promise<EmbeddedServer> {
    if (this.#stopped) {
      return Promise.reject(new Error(`PostgreSQL ${this.major} server was stopped and its data removed`));
    }
    // Concurrent callers share one startup instead of racing two postmasters onto one data dir.
    this.#starting ??= this.startOnce().finally(() => {
      this.#starting = undefined;
    });
    return this.#starting;
  }

  private async startOnce(): Promise<EmbeddedServer> {
    if (this.#child) return this;
    await this.writeConfig();

    const logFd = openSync(this.logFile, "a");
    let child: ChildProcess;
    try {
      child = spawn(this.binaries.postgres, ["-D", this.dataDir], {
        cwd: this.ownedBaseDir ?? "/",
        env: serverEnv(this.binaries),
        stdio: ["ignore", logFd, logFd],
        uid: this.user.uid,
        gid: this.user.gid,
      });
    } finally {
      closeSync(logFd); // the child has its own copy
    }
    // Do not keep the event loop alive just for the server; the exit hook cleans up instead.
    child.unref();
    this.#child = child;
    this.#exited = new Promise<void>((resolve) => {
      child.once("exit", () => {
        if (this.#child === child) this.#child = undefined;
        liveServers.delete(this);
        resolve();
      });
      child.once("error", () => {
        if (this.#child === child) this.#child = undefined;
        liveServers.delete(this);
        resolve();
      });
    });
    liveServers.add(this);
    ensureExitHook();

    try {
      this.version = await this.waitUntilReady(this.#exited, this.options.startTimeoutMs ?? 60_000);
    } catch (error) {
      await this.shutdown("immediate");
      const tail = await logTail(this.logFile);
      if (/could not bind|Address already in use/i.test(tail)) {
        throw new PortInUseError(
          `PostgreSQL ${this.major} failed to start: ${this.host}:${this.#port} is already in use\n` +
            `--- last lines of ${this.logFile} ---\n${tail}`,
        );
      }
      const reason = error instanceof Error ? error.message : String(error);
      throw new Error(
        `PostgreSQL ${this.major} failed to start on ${this.host}:${this.#port}: ${reason}\n` +
          `--- last lines of ${this.logFile} ---\n${tail}`,
      );
    }
    return this;
  }

  async shutdown(mode: "fast" | "immediate" = "fast"): Promise<void> {
    const child = this.#child;
    const exited = this.#exited;
    if (!child || !exited) return;
    child.ref(); // keep the process alive until the server is really down
    const steps: [NodeJS.Signals, number][] =
      mode === "fast"
        ? [
            ["SIGINT", 60_000],
            ["SIGQUIT", 10_000],
            ["SIGKILL", 10_000],
          ]
        : [
            ["SIGQUIT", 10_000],
            ["SIGKILL", 10_000],
          ];
    for (const [signal, waitMs] of steps) {
      try {
        child.kill(signal);
      } catch {
        break; // already gone
      }
      if (await settlesWithin(exited, waitMs)) return;
    }
  }

  stop(): Promise<void> {
    this.#stopped ??= (async () => {
      await this.#starting?.catch(() => {});
      await this.shutdown("fast");
      if (this.ownedBaseDir) await rm(this.ownedBaseDir, { recursive: true, force: true });
    })();
    return this.#stopped;
  }

  /** Synchronous last resort for the process 'exit' hook: immediate stop, then drop our temp dir. */
  killSync(): void {
    const child = this.#child;
    if (!child?.pid) return;
    try {
      process.kill(child.pid, "SIGQUIT");
    } catch {
      return;
    }
    // The postmaster removes postmaster.pid once all its children are gone (<= 5 s by design).
    const pidFile = join(this.dataDir, "postmaster.pid");
    const deadline = Date.now() + 6_000;
    while (existsSync(pidFile) && Date.now() < deadline) sleepSync(25);
    if (this.ownedBaseDir) rmSync(this.ownedBaseDir, { recursive: true, force: true, maxRetries: 3 });
  }

  /** Rewrites our include file and hba block; both are regenerated on every start. */
  private async writeConfig(): Promise<void> {
    const fast = this.options.fast ?? true;
    const settings: Record<string, SettingValue> = {
      listen_addresses: HOST,
      port: this.#port,
      // No Unix socket: its path length limit (107 bytes) would break long data dir paths.
      unix_socket_directories: "",
      max_connections: 100,
      shared_buffers: "128MB",
      ...(fast ? { fsync: false, synchronous_commit: false, full_page_writes: false } : {}),
      ...this.options.settings,
    };
    const lines = ["# Written by pgsync-ts (src/embedded/server.ts) before every start."];
    for (const [key, value] of Object.entries(settings)) {
      if (!/^[A-Za-z_][A-Za-z0-9_.]*$/.test(key))
        throw new Error(`invalid setting name: ${JSON.stringify(key)}`);
      lines.push(`${key} = ${formatSetting(value)}`);
    }
    await this.writeServerFile(join(this.dataDir, CONF_FILE), `${lines.join("\n")}\n`);

    // Later lines win in postgresql.conf, so our include goes last (added once).
    const mainConf = join(this.dataDir, "postgresql.conf");
    const conf = await readFile(mainConf, "utf8");
    const include = `include_if_exists = '${CONF_FILE}'`;
    if (!conf.includes(include)) {
      await writeFile(mainConf, `${conf}${conf.endsWith("\n") ? "" : "\n"}${include}\n`);
    }

    // pg_hba.conf is first-match, so extra lines go on top, in a block we can replace next time.
    const hbaFile = join(this.dataDir, "pg_hba.conf");
    let hba = await readFile(hbaFile, "utf8");
    const begin = hba.indexOf(HBA_BEGIN);
    const end = hba.indexOf(HBA_END);
    if (begin !== -1 && end > begin) hba = hba.slice(0, begin) + hba.slice(end + HBA_END.length + 1);
    const extra = this.options.hbaLines ?? [];
    if (extra.some((line) => line.includes("\n"))) throw new Error("hbaLines entries must be single lines");
    const block = extra.length > 0 ? `${HBA_BEGIN}\n${extra.join("\n")}\n${HBA_END}\n` : "";
    await writeFile(hbaFile, block + hba);
  }

  private async writeServerFile(path: string, content: string): Promise<void> {
    await writeFile(path, content, { mode: 0o600 });
    await giveToServerUser(path, this.user, 0o600);
  }

  /** Polls until a superuser login works; returns server_version. Fails early if the postmaster exits. */
  private async waitUntilReady(exited: Promise<void>, timeoutMs: number): Promise<string> {
    let gone = false;
    void exited.then(() => {
      gone = true;
    });
    const deadline = Date.now() + timeoutMs;
    let lastError: unknown;
    while (!gone) {
      if (Date.now() > deadline) {
        throw new Error(
          `not accepting connections after ${timeoutMs} ms (last error: ${describe(lastError)})`,
        );
      }
      const client = new pg.Client({
        host: this.host,
        port: this.#port,
        user: this.superuser,
        password: this.superuserPassword,
        database: "postgres",
        connectionTimeoutMillis: 5_000,
      });
      client.on("error", () => {}); // a server going away must not crash the process
      try {
        await client.connect();
        const result = await client.query<{ server_version: string; server_version_num: string }>(
          "SELECT current_setting('server_version') AS server_version, current_setting('server_version_num') AS server_version_num",
        );
        const row = result.rows[0];
        if (!row) throw new Error("SELECT current_setting returned no row");
        const actualMajor = Math.floor(Number(row.server_version_num) / 10_000);
        if (actualMajor !== this.major) {
          throw new Error(
            `expected PostgreSQL ${this.major} but port ${this.#port} answers ${row.server_version}`,
          );
        }
        return row.server_version;
      } catch (error) {
        lastError = error;
        const code = (error as { code?: string }).code;
        // Wrong password on a reused data dir, or a foreign server on our port: retrying cannot help,
        // but give our postmaster a moment to die from a bind error first (reported more precisely).
        if (code === "28P01" || code === "28000" || /expected PostgreSQL/.test(describe(error))) {
          if (await settlesWithin(exited, 1_000)) break;
          throw error;
        }
      } finally {
        await client.end().catch(() => {});
      }
      await settlesWithin(exited, 100);
    }
    throw new Error(`the postmaster exited during startup (last connection error: ${describe(lastError)})`);
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
    const { code, output } = await run(binaries, binaries.initdb, args, user, secretDir);
    if (code !== 0) {
      throw new Error(`initdb for PostgreSQL ${binaries.major} failed (exit ${code}):\n${output.trim()}`);
    }
  } finally {
    await rm(secretDir, { recursive: true, force: true });
  }
}

function run(
  binaries: PgBinaries,
  command: string,
  args: string[],
  user: ServerOsUser,
  cwd: string,
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd,
      env: serverEnv(binaries),
      stdio: ["ignore", "pipe", "pipe"],
      uid: user.uid,
      gid: user.gid,
    });
    let output = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once("error", reject);
    child.once("close", (code) => resolve({ code, output }));
  });
}

/**
 * Environment for server processes: no PG* client variables, the C locale (the server and initdb
 * read LC_* at startup), and our lib/ first on LD_LIBRARY_PATH. The binaries find their libraries
 * through RUNPATH=$ORIGIN/../lib already, but an inherited LD_LIBRARY_PATH would take precedence
 * over RUNPATH and could load a system libpq of another version.
 */
function serverEnv(binaries: PgBinaries): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith("PG") && !key.startsWith("LC_")) env[key] = value;
  }
  const lib = join(binaries.nativeDir, "lib");
  env.LD_LIBRARY_PATH = process.env.LD_LIBRARY_PATH ? `${lib}:${process.env.LD_LIBRARY_PATH}` : lib;
  env.LC_ALL = "C";
  env.LANG = "C";
  return env;
}

async function giveToServerUser(path: string, user: ServerOsUser, mode?: number): Promise<void> {
  if (user.uid !== undefined && user.gid !== undefined) await chown(path, user.uid, user.gid);
  if (mode !== undefined) await chmod(path, mode);
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

function formatSetting(value: SettingValue): string {
  if (typeof value === "boolean") return value ? "on" : "off";
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new Error(`invalid numeric setting: ${value}`);
    return String(value);
  }
  // postgresql.conf strings: single quotes, with ' doubled and backslashes escaped.
  return `'${value.replace(/\\/g, "\\\\").replace(/'/g, "''")}'`;
}

const handedOutPorts = new Set<number>();

/**
 * Asks the OS for a free port on 127.0.0.1. Ports already given to a server of this process are
 * skipped, so servers started in parallel never get the same one.
 */
export async function pickFreePort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = await new Promise<number>((resolve, reject) => {
      const probe = createNetServer();
      probe.unref();
      probe.once("error", reject);
      probe.listen(0, HOST, () => {
        const address = probe.address();
        probe.close(() => {
          if (address && typeof address === "object") resolve(address.port);
          else reject(new Error("could not read the probe socket's port"));
        });
      });
    });
    if (!handedOutPorts.has(port)) {
      handedOutPorts.add(port);
      return port;
    }
  }
  throw new Error("could not find a free TCP port on 127.0.0.1");
}

async function logTail(logFile: string, maxLines = 40): Promise<string> {
  try {
    const handle = await open(logFile, "r");
    try {
      const { size } = await handle.stat();
      const length = Math.min(size, 16_384);
      const buffer = Buffer.alloc(length);
      await handle.read(buffer, 0, length, size - length);
      return buffer.toString("utf8").split("\n").slice(-maxLines).join("\n").trim() || "(log is empty)";
    } finally {
      await handle.close();
    }
  } catch (error) {
    return `(could not read the log: ${describe(error)})`;
  }
}

function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    void promise.then(() => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

function describe(error: unknown): string {
  if (error === undefined) return "none";
  if (error instanceof Error) {
    const code = (error as { code?: string }).code;
    return code ? `${error.message} [${code}]` : error.message;
  }
  return String(error);
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Servers whose postmaster is (or may be) running, for the exit hook. */
const liveServers = new Set<PostgresServer>();
let exitHookInstalled = false;

/**
 * 'exit' runs for normal exits, process.exit() and uncaught exceptions (not for SIGKILL). Only
 * synchronous work is possible there, hence killSync(). Servers started in the same process group
 * also get a terminal's Ctrl-C directly, which postgres treats as a fast shutdown.
 */
function ensureExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on("exit", () => {
    for (const server of liveServers) {
      try {
        server.killSync();
      } catch {
        // best effort: keep killing the others
      }
    }
  });
}
