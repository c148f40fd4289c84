/**
 * PostgreSQL's own regression database as a fixture: the core suite (src/test/regress of the 15.18
 * sources, fetched by scripts/fetch-regression-suite.sh) is run into a database of a dedicated
 * server, once per server, and each test clones it with CREATE DATABASE ... TEMPLATE.
 *
 * The suite creates and drops roles and databases across the whole cluster, so it never runs on the
 * shared test servers. Its statements that need the suite's C library (regress.so, not built here)
 * fail, as do those that need features the server's major lacks: the build runs with
 * ON_ERROR_STOP=0, like pg_regress, and what remains is the fixture.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createWriteStream } from "node:fs";
import { chmod, mkdir, mkdtemp, readFile, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import pg from "pg";
import { type EmbeddedServer, type PgMajor, serverOsUser, startPostgres } from "../../src/embedded/server.js";

const execFileAsync = promisify(execFile);
const FETCH_SCRIPT = fileURLToPath(new URL("../../scripts/fetch-regression-suite.sh", import.meta.url));
/** Debian's psql 15 runs the 15 suite's files against any server from 14 to 18. */
export const REGRESSION_PSQL = "/usr/lib/postgresql/15/bin/psql";
export const TEMPLATE_DATABASE = "regression_template";
/** Tests of parallel_schedule that are not run: tablespace needs a directory the server owns. */
const SKIPPED_TESTS = new Set(["tablespace"]);
/** A single test file that runs longer than this is stuck (sequential run, nothing to wait for). */
const TEST_FILE_TIMEOUT_MS = 300_000;

export interface RegressionDatabase {
  readonly name: string;
  /** Superuser URL of the database. */
  readonly url: string;
  /** Drops the database, disconnecting any session still using it. */
  drop(): Promise<void>;
}

export interface RegressionBuild {
  readonly seconds: number;
  /** The parallel_schedule tests that were run, in order. */
  readonly tests: readonly string[];
  /** psql's ERROR lines (statements that failed, as pg_regress accepts). */
  readonly errors: number;
  /** psql -a output of the whole build, for post-mortems. */
  readonly logFile: string;
}

export interface RegressionServer {
  readonly major: PgMajor;
  readonly server: EmbeddedServer;
  readonly build: RegressionBuild;
  /** A new database created from the regression template, with its database settings and comment. */
  cloneRegression(): Promise<RegressionDatabase>;
  /** A new empty database (from template0) on the same server. */
  emptyDatabase(): Promise<RegressionDatabase>;
  stop(): Promise<void>;
}

/** Runs the fetch script (idempotent) and returns the unpacked suite's directory. */
export async function regressionSuiteDir(): Promise<string> {
  const { stdout } = await execFileAsync("bash", [FETCH_SCRIPT], { maxBuffer: 16 * 1024 * 1024 });
  const dir = stdout.trim().split("\n").at(-1);
  if (!dir) throw new Error(`${FETCH_SCRIPT} printed no directory`);
  // The server reads the suite's data files itself (COPY FROM in test_setup.sql).
  const user = await serverOsUser();
  const blocked = user.uid !== undefined ? await closedAncestor(join(dir, "data")) : undefined;
  if (blocked !== undefined) {
    throw new Error(
      `the server runs as "${user.name}", which cannot enter ${blocked} on the way to ${dir}: set PGSYNC_CACHE_DIR to a directory it can reach`,
    );
  }
  return dir;
}

/** The first directory above `path` that other users cannot enter (no o+x), if any. */
async function closedAncestor(path: string): Promise<string | undefined> {
  for (let dir = dirname(path); ; dir = dirname(dir)) {
    if (((await stat(dir)).mode & 0o001) === 0) return dir;
    if (dir === dirname(dir)) return undefined;
  }
}

/** The tests of parallel_schedule, in order (each `test:` line's names, left to right). */
export async function scheduledTests(suiteDir: string): Promise<string[]> {
  const schedule = await readFile(join(suiteDir, "parallel_schedule"), "utf8");
  return schedule
    .split("\n")
    .filter((line) => line.startsWith("test:"))
    .flatMap((line) => line.slice("test:".length).trim().split(/\s+/))
    .filter((name) => name !== "" && !SKIPPED_TESTS.has(name));
}

const servers = new Map<PgMajor, Promise<RegressionServer>>();

/** A dedicated server of `major` holding the regression template (built once per server and process). */
export function startRegressionServer(major: PgMajor): Promise<RegressionServer> {
  let started = servers.get(major);
  if (!started) {
    started = createRegressionServer(major);
    started.catch(() => servers.delete(major));
    servers.set(major, started);
  }
  return started;
}

async function createRegressionServer(major: PgMajor): Promise<RegressionServer> {
  const suiteDir = await regressionSuiteDir();
  const server = await startPostgres({ major, name: "regress" });
  try {
    const build = await buildTemplate(server, suiteDir);
    const created: RegressionDatabase[] = [];
    const make = async (template: string) => {
      const db = await createDatabase(server, template);
      created.push(db);
      return db;
    };
    return {
      major,
      server,
      build,
      cloneRegression: () => make(TEMPLATE_DATABASE),
      emptyDatabase: () => make("template0"),
      stop: async () => {
        await Promise.allSettled(created.map((db) => db.drop()));
        servers.delete(major);
        await server.stop();
      },
    };
  } catch (error) {
    await server.stop().catch(() => {});
    throw error;
  }
}

/** pg_regress's create_database(): template0, then these settings for every session of the database. */
const REGRESS_DATABASE_SETTINGS: readonly [string, string][] = [
  ["lc_messages", "C"],
  ["lc_monetary", "C"],
  ["lc_numeric", "C"],
  ["lc_time", "C"],
  ["bytea_output", "hex"],
  ["timezone_abbreviations", "Default"],
];

async function buildTemplate(server: EmbeddedServer, suiteDir: string): Promise<RegressionBuild> {
  const started = performance.now();
  // The build dir receives files the server writes (COPY TO, lo_export): writable by its OS user.
  const buildDir = await mkdtemp(join(tmpdir(), `pgsync-ts-regress-pg${server.major}-`));
  await mkdir(join(buildDir, "results"));
  await chmod(buildDir, 0o755);
  await chmod(join(buildDir, "results"), 0o777);
  const logFile = join(buildDir, "build.log");

  await withServerClient(server, "postgres", async (client) => {
    await client.query(`DROP DATABASE IF EXISTS ${TEMPLATE_DATABASE}`);
    await client.query("CREATE DATABASE regression TEMPLATE template0");
    for (const [name, value] of REGRESS_DATABASE_SETTINGS) {
      await client.query(`ALTER DATABASE regression SET ${name} TO ${client.escapeLiteral(value)}`);
    }
  });
  const libDir = await withServerClient(server, "postgres", async (client) => {
    const result = await client.query<{ setting: string }>(
      "SELECT setting FROM pg_catalog.pg_config WHERE name = 'PKGLIBDIR'",
    );
    return result.rows[0]?.setting ?? "";
  });

  const tests = await scheduledTests(suiteDir);
  const log = createWriteStream(logFile);
  let errors = 0;
  try {
    for (const test of tests) {
      log.write(`\n===== ${test} =====\n`);
      errors += await runTestFile(server, suiteDir, buildDir, libDir, test, log);
    }
  } finally {
    await new Promise<void>((resolve) => log.end(resolve));
  }

  await withServerClient(server, "postgres", async (client) => {
    // Sessions the suite left behind (none expected) would block the rename and every clone.
    await client.query(
      "SELECT pg_catalog.pg_terminate_backend(pid) FROM pg_catalog.pg_stat_activity WHERE datname = 'regression' AND pid <> pg_catalog.pg_backend_pid()",
    );
    await client.query(`ALTER DATABASE regression RENAME TO ${TEMPLATE_DATABASE}`);
  });
  return { seconds: (performance.now() - started) / 1000, tests, errors, logFile };
}

/** One test file through psql, as pg_regress runs it; returns the number of ERROR lines it printed. */
function runTestFile(
  server: EmbeddedServer,
  suiteDir: string,
  buildDir: string,
  libDir: string,
  test: string,
  log: NodeJS.WritableStream,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const child: ChildProcess = spawn(
      REGRESSION_PSQL,
      ["-X", "-a", "-q", "-v", "ON_ERROR_STOP=0", "-d", "regression", "-f", join("sql", `${test}.sql`)],
      {
        cwd: suiteDir,
        env: regressEnv(server, suiteDir, buildDir, libDir),
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let errors = 0;
    let pending = "";
    const count = (chunk: Buffer) => {
      const text = pending + chunk.toString();
      const lines = text.split("\n");
      pending = lines.pop() ?? "";
      errors += lines.filter((line) => /^psql:.*ERROR: /.test(line)).length;
      log.write(chunk);
    };
    child.stdout?.on("data", count);
    child.stderr?.on("data", count);
    const timer = setTimeout(() => child.kill("SIGKILL"), TEST_FILE_TIMEOUT_MS);
    child.once("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once("close", (code, signal) => {
      clearTimeout(timer);
      if (/^psql:.*ERROR: /.test(pending)) errors++;
      // psql exits 0 with ON_ERROR_STOP=0 whatever failed; anything else means it could not run.
      if (code === 0) resolve(errors);
      else reject(new Error(`psql -f sql/${test}.sql ended with ${signal ?? `exit ${code}`}`));
    });
  });
}

/** pg_regress's initialize_environment() for the 15 suite, plus where to connect. */
function regressEnv(
  server: EmbeddedServer,
  suiteDir: string,
  buildDir: string,
  libDir: string,
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of Object.keys(env)) {
    if (/^(PG|LC_)/.test(name) || name === "LANG" || name === "LANGUAGE") delete env[name];
  }
  return {
    ...env,
    LC_MESSAGES: "C",
    PGAPPNAME: "pg_regress",
    PG_ABS_SRCDIR: suiteDir,
    PG_ABS_BUILDDIR: buildDir,
    PG_LIBDIR: libDir,
    PG_DLSUFFIX: ".so",
    // 15.18's pg_regress sets America/Los_Angeles (earlier releases PST8PDT, the same rules).
    PGTZ: "America/Los_Angeles",
    PGDATESTYLE: "Postgres, MDY",
    PGOPTIONS: "-c intervalstyle=postgres_verbose",
    PGHOST: server.host,
    PGPORT: String(server.port),
    PGUSER: server.superuser,
    PGPASSWORD: server.superuserPassword,
  };
}

async function withServerClient<T>(
  server: EmbeddedServer,
  database: string,
  fn: (client: pg.Client) => Promise<T>,
): Promise<T> {
  const client = new pg.Client({ connectionString: server.url(database) });
  client.on("error", () => {});
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * CREATE DATABASE ... TEMPLATE copies the contents, not what pg_database and pg_db_role_setting hold
 * about the database: its settings (for all roles and per role) and its comment are copied here.
 */
async function createDatabase(server: EmbeddedServer, template: string): Promise<RegressionDatabase> {
  const name = `r_${randomBytes(6).toString("hex")}`;
  await withServerClient(server, "postgres", async (client) => {
    const quoted = client.escapeIdentifier(name);
    await client.query(`CREATE DATABASE ${quoted} TEMPLATE ${client.escapeIdentifier(template)}`);
    if (template === "template0") return;
    // Exact copies of the rows (list-valued settings such as search_path keep their elements).
    await client.query(
      `INSERT INTO pg_catalog.pg_db_role_setting (setdatabase, setrole, setconfig)
       SELECT (SELECT oid FROM pg_catalog.pg_database WHERE datname = $1), s.setrole, s.setconfig
         FROM pg_catalog.pg_db_role_setting s
        WHERE s.setdatabase = (SELECT oid FROM pg_catalog.pg_database WHERE datname = $2)`,
      [name, template],
    );
    const comment = await client.query<{ description: string | null }>(
      "SELECT pg_catalog.shobj_description(oid, 'pg_database') AS description FROM pg_catalog.pg_database WHERE datname = $1",
      [template],
    );
    const description = comment.rows[0]?.description;
    if (description)
      await client.query(`COMMENT ON DATABASE ${quoted} IS ${client.escapeLiteral(description)}`);
  });
  return {
    name,
    url: server.url(name),
    drop: () =>
      withServerClient(server, "postgres", async (client) => {
        await client.query(`DROP DATABASE IF EXISTS ${client.escapeIdentifier(name)} WITH (FORCE)`);
      }),
  };
}
