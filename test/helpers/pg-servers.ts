/**
 * Test access to the shared PostgreSQL servers started by test/global-setup.ts (one per major),
 * plus helpers for throw-away databases and roles on them. Typical use:
 *
 *   describe.each(testMajors())("PostgreSQL %i", (major) => {
 *     it("...", async () => { const db = await freshDatabase(major); ...; await db.drop(); });
 *   });
 */
import { randomBytes } from "node:crypto";
import pg from "pg";
import { inject } from "vitest";
import { type PgMajor, parseMajors, postgresUrl } from "../../src/embedded/server.js";

export {
  createServer,
  type EmbeddedServer,
  type PgMajor,
  type ServerHandle,
  type StartOptions,
  startPostgres,
} from "../../src/embedded/server.js";

/** What global setup passes to the workers (must be JSON-serialisable). */
export interface SharedServerInfo {
  major: PgMajor;
  version: string;
  host: string;
  port: number;
  superuser: string;
  superuserPassword: string;
}

declare module "vitest" {
  export interface ProvidedContext {
    pgServers: SharedServerInfo[];
  }
}

export interface SharedServer {
  readonly major: PgMajor;
  /** Full server_version, e.g. "17.10". */
  readonly version: string;
  /** Defaults: database `postgres`, the superuser (with its password). */
  url(database?: string, user?: string, password?: string): string;
  superuserUrl(database?: string): string;
}

export interface FreshDatabase {
  readonly name: string;
  /** Superuser URL of the database. */
  readonly url: string;
  urlAs(user: string, password: string): string;
  /** Drops the database, disconnecting any session still using it. */
  drop(): Promise<void>;
}

export interface RoleOptions {
  password: string;
  superuser?: boolean;
  bypassrls?: boolean;
  /** Default true. */
  login?: boolean;
  createdb?: boolean;
}

export interface TestRole {
  readonly name: string;
  readonly password: string;
  url(database: string): string;
}

function servers(): SharedServerInfo[] {
  const provided = inject("pgServers");
  if (!provided)
    throw new Error("no shared PostgreSQL servers: is test/global-setup.ts in vitest.config.ts?");
  return provided;
}

/** The majors the run covers, in PGSYNC_TEST_VERSIONS order (as started by global setup). */
export function testMajors(): PgMajor[] {
  const provided = inject("pgServers");
  return provided ? provided.map((server) => server.major) : parseMajors(process.env.PGSYNC_TEST_VERSIONS);
}

export function sharedServer(major: PgMajor): SharedServer {
  const info = servers().find((server) => server.major === major);
  if (!info) {
    const running = servers()
      .map((server) => server.major)
      .join(",");
    throw new Error(`PostgreSQL ${major} is not part of this run (PGSYNC_TEST_VERSIONS covers ${running})`);
  }
  const url = (database?: string, user?: string, password?: string): string =>
    postgresUrl(info, database, user, password);
  return {
    major,
    version: info.version,
    url,
    superuserUrl: (database = "postgres") => url(database),
  };
}

/** Runs `fn` with a connected client and always closes it. */
export async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  client.on("error", () => {}); // a server-side disconnect (e.g. DROP ... WITH (FORCE)) must not crash the worker
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * With PGSYNC_TEST_ROLES=owner, databases are owned by, and `url` connects as, a role that is not a
 * superuser (with BYPASSRLS, as managed services grant): the suites then run the way they would on
 * a managed service, with no superuser on either side.
 */
export const OWNER_ROLE = { name: "pgsync_owner", password: "owner-Pa55" } as const;
const ownerMode = () => process.env.PGSYNC_TEST_ROLES === "owner";

/** Creates an empty, uniquely named database (`t_<random>`) on the shared server of `major`. */
export async function freshDatabase(major: PgMajor, opts: { owner?: string } = {}): Promise<FreshDatabase> {
  if (ownerMode() && !opts.owner) {
    await createRole(major, OWNER_ROLE.name, { password: OWNER_ROLE.password, bypassrls: true });
    const db = await freshDatabase(major, { owner: OWNER_ROLE.name });
    return { ...db, url: db.urlAs(OWNER_ROLE.name, OWNER_ROLE.password) };
  }
  const server = sharedServer(major);
  const name = `t_${randomBytes(6).toString("hex")}`;
  await withClient(server.superuserUrl(), async (client) => {
    // template0 is guaranteed pristine, and unlike template1 nobody else is ever connected to it.
    const owner = opts.owner ? ` OWNER ${client.escapeIdentifier(opts.owner)}` : "";
    await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)} TEMPLATE template0${owner}`);
  });
  return {
    name,
    url: server.superuserUrl(name),
    urlAs: (user, password) => server.url(name, user, password),
    drop: () =>
      withClient(server.superuserUrl(), async (client) => {
        await client.query(`DROP DATABASE IF EXISTS ${client.escapeIdentifier(name)} WITH (FORCE)`);
      }),
  };
}

/**
 * Creates the role, or brings an existing one to exactly these attributes and password. Roles are
 * cluster-wide and test files run in parallel, so losing a creation race is handled as "exists".
 */
export async function createRole(major: PgMajor, name: string, options: RoleOptions): Promise<TestRole> {
  const server = sharedServer(major);
  await withClient(server.superuserUrl(), async (client) => {
    const flag = (on: boolean | undefined, keyword: string) => (on ? keyword : `NO${keyword}`);
    const attributes = [
      flag(options.login ?? true, "LOGIN"),
      flag(options.superuser, "SUPERUSER"),
      flag(options.bypassrls, "BYPASSRLS"),
      flag(options.createdb, "CREATEDB"),
      `PASSWORD ${client.escapeLiteral(options.password)}`,
    ].join(" ");
    const role = client.escapeIdentifier(name);
    try {
      await client.query(`CREATE ROLE ${role} ${attributes}`);
      return;
    } catch (error) {
      // 42710 duplicate_object; 23505 when a concurrent CREATE ROLE won the race.
      const code = (error as { code?: string }).code;
      if (code !== "42710" && code !== "23505") throw error;
    }
    for (let attempt = 1; ; attempt++) {
      try {
        await client.query(`ALTER ROLE ${role} ${attributes}`);
        return;
      } catch (error) {
        // "tuple concurrently updated" (XX000) when two workers alter the same role at once.
        if ((error as { code?: string }).code !== "XX000" || attempt >= 5) throw error;
        await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
      }
    }
  });
  return {
    name,
    password: options.password,
    url: (database) => server.url(database, name, options.password),
  };
}
