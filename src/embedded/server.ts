/**
 * Throw-away PostgreSQL servers (majors 14-18) started from the npm-packaged binaries, for the test
 * suite, the benchmark and the `demo` command. This module is the façade: a server's life cycle
 * (create, start, shutdown, stop), built from the data directory (initdb.ts), its configuration
 * (config-files.ts), its processes (process.ts), the readiness probe (readiness.ts) and free ports
 * (ports.ts). Every failure is a PgsyncError that names the server.
 */
import { existsSync, rmSync } from "node:fs";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { PgsyncError } from "../errors.js";
import { type PgBinaries, pgBinaries } from "./binaries.js";
import { validateConfig, writeServerConfig } from "./config-files.js";
import { prepareDataDir } from "./initdb.js";
import { logTail, newLogFile } from "./log.js";
import { isPgMajor, type PgMajor } from "./majors.js";
import {
  type EmbeddedServer,
  HOST,
  postgresUrl,
  type ServerHandle,
  type StartOptions,
  SUPERUSER,
} from "./options.js";
import { type ServerOsUser, serverOsUser } from "./os-user.js";
import { pickFreePort } from "./ports.js";
import {
  type Postmaster,
  sleepSync,
  spawnPostmaster,
  stopPostmaster,
  trackLive,
  untrackLive,
} from "./process.js";
import { waitUntilReady } from "./readiness.js";

export { BinariesNotInstalledError, missingBinaries } from "./binaries.js";
export { isPgMajor, PG_MAJORS, type PgMajor, parseMajors } from "./majors.js";
export {
  type EmbeddedServer,
  postgresUrl,
  type ServerHandle,
  type SettingValue,
  type StartOptions,
} from "./options.js";
export { type ServerOsUser, serverOsUser } from "./os-user.js";
export { pickFreePort } from "./ports.js";

/**
 * Creates (initdb) a server without starting it, so a test can publish its URL first and start it
 * later. The port is fixed now, because callers may already have handed out `url()`.
 */
export async function createServer(options: StartOptions): Promise<ServerHandle> {
  return PostgresServer.create(options);
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
      server.changePort(await pickFreePort());
    }
  }
}

/** The port was taken between picking it and the postmaster binding it. */
class PortInUseError extends PgsyncError {}

class PostgresServer implements ServerHandle {
  readonly host = HOST;
  readonly superuser = SUPERUSER;
  version = "";
  #port: number;
  #postmaster: Postmaster | undefined;
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
    if (!isPgMajor(options.major)) {
      throw new PgsyncError("usage", `unsupported PostgreSQL major version: ${String(options.major)}`);
    }
    validateConfig(options.settings, options.hbaLines);
    const major = options.major;
    const [binaries, user] = await Promise.all([pgBinaries(major), serverOsUser()]);
    const label = options.name
      ? `${options.name.replace(/[^A-Za-z0-9_.-]+/g, "_")}-pg${major}`
      : `pg${major}`;
    const port = options.port ?? (await pickFreePort());
    let logFile: string;
    let prepared: Awaited<ReturnType<typeof prepareDataDir>>;
    try {
      logFile = await newLogFile(label, options.logDir);
      prepared = await prepareDataDir({
        binaries,
        user,
        label,
        dataDir: options.dataDir,
        superuserPassword: options.superuserPassword,
        fast: options.fast ?? true,
      });
    } catch (error) {
      // File system errors (a log or data directory we may not create) become ours, naming the server.
      if (error instanceof PgsyncError) throw error;
      throw new PgsyncError(
        "config",
        `PostgreSQL ${major} server could not be created: ${error instanceof Error ? error.message : String(error)}`,
        { object: `PostgreSQL ${major} server (${options.dataDir ?? "temporary data directory"})` },
        { cause: error },
      );
    }
    return new PostgresServer(
      major,
      prepared.superuserPassword,
      prepared.dataDir,
      logFile,
      port,
      prepared.ownedBaseDir,
      binaries,
      user,
      options,
    );
  }

  get port(): number {
    return this.#port;
  }

  get running(): boolean {
    return this.#postmaster !== undefined;
  }

  get pid(): number | undefined {
    return this.#postmaster?.child.pid;
  }

  /** What error messages name this server by. */
  private get object(): string {
    return `PostgreSQL ${this.major} server on ${this.host}:${this.#port}`;
  }

  url(database = "postgres", user?: string, password?: string): string {
    return postgresUrl(this, database, user, password);
  }

  /** Only before the first start (startPostgres' retry when the picked port was taken meanwhile). */
  changePort(port: number): void {
    if (this.running) {
      throw new PgsyncError("usage", "cannot change the port of a running server", { object: this.object });
    }
    this.#port = port;
  }

  start(): Promise<EmbeddedServer> {
    if (this.#stopped) {
      return Promise.reject(
        new PgsyncError("usage", "the server was stopped and its data removed", { object: this.object }),
      );
    }
    // Concurrent callers share one startup instead of racing two postmasters onto one data dir.
    this.#starting ??= this.startOnce().finally(() => {
      this.#starting = undefined;
    });
    return this.#starting;
  }

  private async startOnce(): Promise<EmbeddedServer> {
    if (this.#postmaster) return this;
    let postmaster: Postmaster;
    try {
      await writeServerConfig({
        dataDir: this.dataDir,
        port: this.#port,
        fast: this.options.fast ?? true,
        ...(this.options.settings ? { settings: this.options.settings } : {}),
        ...(this.options.hbaLines ? { hbaLines: this.options.hbaLines } : {}),
        user: this.user,
      });
      postmaster = spawnPostmaster(
        this.binaries,
        this.dataDir,
        this.logFile,
        this.user,
        this.ownedBaseDir ?? "/",
      );
    } catch (error) {
      if (error instanceof PgsyncError) throw error;
      const reason = error instanceof Error ? error.message : String(error);
      throw new PgsyncError(
        "config",
        `PostgreSQL ${this.major} could not be started: ${reason}`,
        {
          object: this.object,
        },
        { cause: error },
      );
    }
    this.#postmaster = postmaster;
    void postmaster.exited.then(() => {
      if (this.#postmaster === postmaster) this.#postmaster = undefined;
      untrackLive(this);
    });
    trackLive(this);

    try {
      this.version = await waitUntilReady({
        major: this.major,
        host: this.host,
        port: this.#port,
        superuser: this.superuser,
        superuserPassword: this.superuserPassword,
        exited: postmaster.exited,
        timeoutMs: this.options.startTimeoutMs ?? 60_000,
      });
    } catch (error) {
      await this.shutdown("immediate");
      throw await this.startFailure(error);
    }
    return this;
  }

  /** Why the start failed, with the tail of the server's log (which says it best). */
  private async startFailure(error: unknown): Promise<PgsyncError> {
    const tail = await logTail(this.logFile);
    const log = `\n--- last lines of ${this.logFile} ---\n${tail}`;
    if (/could not bind|Address already in use/i.test(tail)) {
      return new PortInUseError(
        "connection",
        `PostgreSQL ${this.major} failed to start: ${this.host}:${this.#port} is already in use${log}`,
        { object: this.object },
        { cause: error },
      );
    }
    const reason = error instanceof Error ? error.message : String(error);
    const server = error instanceof PgsyncError ? error.context.server : undefined;
    return new PgsyncError(
      "connection",
      `PostgreSQL ${this.major} failed to start on ${this.host}:${this.#port}: ${reason}${log}`,
      { object: this.object, ...(server ? { server } : {}) },
      { cause: error },
    );
  }

  async shutdown(mode: "fast" | "immediate" = "fast"): Promise<void> {
    if (this.#postmaster) await stopPostmaster(this.#postmaster, mode);
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
    const pid = this.#postmaster?.child.pid;
    if (!pid) return;
    try {
      process.kill(pid, "SIGQUIT");
    } catch {
      return;
    }
    // The postmaster removes postmaster.pid once all its children are gone (<= 5 s by design).
    const pidFile = join(this.dataDir, "postmaster.pid");
    const deadline = Date.now() + 6_000;
    while (existsSync(pidFile) && Date.now() < deadline) sleepSync(25);
    if (this.ownedBaseDir) rmSync(this.ownedBaseDir, { recursive: true, force: true, maxRetries: 3 });
  }
}
