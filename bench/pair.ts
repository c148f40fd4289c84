/**
 * The two servers every tool is measured on: one source, one destination, same major, same settings,
 * durable (fsync and full-page writes on). The benchmark database is `bench` on both.
 */
import { randomBytes } from "node:crypto";
import pg from "pg";
import { createServer, type PgMajor, type ServerHandle } from "../src/embedded/server.js";
import { quoteIdent, quoteLiteral } from "../src/sql/quote.js";

export const BENCH_DB = "bench";

/**
 * Identical on both servers and for every tool. maintenance_work_mem is raised server-wide so that
 * pg_restore's and the raw copy's index builds get what pgsync-ts sets for its own (256MB); a large
 * max_wal_size keeps checkpoints from landing at random points inside one tool's run only. The
 * lock table is raised for every method alike: pg_dump locks every table it dumps in one
 * transaction, psql --single-transaction and pgsync-ts's staging and cut-over transactions lock
 * every object they create or move, and 10,000 tables do not fit the default (64 per connection).
 */
export const SERVER_SETTINGS = {
  shared_buffers: "256MB",
  maintenance_work_mem: "256MB",
  max_wal_size: "4GB",
  max_locks_per_transaction: "256",
} as const;

export interface Endpoint {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  /** Postmaster pid, for CPU accounting. */
  readonly pid: number;
  /** A URL without the password (every tool gets it from PGPASSWORD). */
  url(database?: string): string;
}

export interface ServerPair {
  readonly source: Endpoint;
  readonly destination: Endpoint;
  readonly version: string;
  /** PGPASSWORD for both servers: never on a command line. */
  readonly password: string;
  stop(): Promise<void>;
}

export async function startPair(major: PgMajor): Promise<ServerPair> {
  const password = randomBytes(18).toString("base64url");
  const handles: ServerHandle[] = [];
  const stop = async () => {
    await Promise.all(handles.map((h) => h.stop()));
  };
  try {
    for (const name of ["bench-src", "bench-dst"]) {
      const handle = await createServer({
        major,
        fast: false,
        name,
        superuserPassword: password,
        settings: SERVER_SETTINGS,
      });
      handles.push(handle);
      await handle.start();
    }
  } catch (error) {
    await stop();
    throw error;
  }
  const endpoint = (h: ServerHandle): Endpoint => ({
    host: h.host,
    port: h.port,
    user: h.superuser,
    pid: h.pid as number,
    url: (database = BENCH_DB) =>
      `postgres://${encodeURIComponent(h.superuser)}@${h.host}:${h.port}/${encodeURIComponent(database)}`,
  });
  const [src, dst] = handles as [ServerHandle, ServerHandle];
  return { source: endpoint(src), destination: endpoint(dst), version: src.version, password, stop };
}

/** One short-lived connection (with the password, which never leaves this process). */
export async function withDb<T>(
  e: Endpoint,
  password: string,
  database: string,
  fn: (c: pg.Client) => Promise<T>,
): Promise<T> {
  const c = new pg.Client({ host: e.host, port: e.port, user: e.user, password, database });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/** Drops and recreates the benchmark database: an empty destination. */
/**
 * An empty `bench` database. With `setAside`, the old one is renamed instead of dropped (and goes
 * with the servers at the end of the case): after tens of thousands of files are deleted (a copy
 * of 10,000 tables dropped), ext4's inode allocator skips every inode deleted in the last 60 to 300
 * seconds and reads each one's deletion time to do so. Measured with perf: the same 10,000 CREATE
 * TABLEs then took 21 s of backend CPU instead of 6 s, 80% of it in the kernel's recently_deleted().
 * Whichever method ran right after a drop paid for it, so the order of the methods decided.
 */
export async function resetDatabase(e: Endpoint, password: string, setAside = false): Promise<void> {
  await withDb(e, password, "postgres", async (c) => {
    const exists = await c.query("SELECT 1 FROM pg_catalog.pg_database WHERE datname = $1", [BENCH_DB]);
    if (setAside && exists.rows.length > 0) {
      await c.query(
        "SELECT pg_catalog.pg_terminate_backend(pid) FROM pg_catalog.pg_stat_activity WHERE datname = $1",
        [BENCH_DB],
      );
      const { rows } = await c.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM pg_catalog.pg_database WHERE datname LIKE 'bench\\_set\\_aside\\_%'",
      );
      await c.query(
        `ALTER DATABASE ${quoteIdent(BENCH_DB)} RENAME TO ${quoteIdent(`bench_set_aside_${(rows[0]?.n ?? 0) + 1}`)}`,
      );
    } else {
      await c.query(`DROP DATABASE IF EXISTS ${quoteIdent(BENCH_DB)} WITH (FORCE)`);
    }
    await c.query(`CREATE DATABASE ${quoteIdent(BENCH_DB)}`);
  });
}

/** Flushes what the previous run left dirty, so that no run pays for another's writes. */
export async function checkpoint(e: Endpoint, password: string): Promise<void> {
  await withDb(e, password, "postgres", (c) => c.query("CHECKPOINT"));
}

/** What a finished copy must match: rows per table, and the names of its indexes and constraints. */
export interface Shape {
  readonly rows: Record<string, number>;
  readonly indexes: readonly string[];
  readonly constraints: readonly string[];
}

/** Tables counted per statement: each count locks its table (and the planner its indexes). */
const COUNTS_PER_QUERY = 500;

export async function readShape(e: Endpoint, password: string, database = BENCH_DB): Promise<Shape> {
  return withDb(e, password, database, async (c) => {
    const tables = await c.query<{ name: string }>(
      "SELECT tablename AS name FROM pg_catalog.pg_tables WHERE schemaname = 'public' ORDER BY 1",
    );
    const rows: Record<string, number> = {};
    const names = tables.rows.map((t) => t.name);
    // Batched: one round trip per table would dominate at 10,000 tables.
    for (let i = 0; i < names.length; i += COUNTS_PER_QUERY) {
      const batch = names.slice(i, i + COUNTS_PER_QUERY);
      const counted = await c.query<{ name: string; n: string }>(
        batch
          .map(
            (name) => `SELECT ${quoteLiteral(name)} AS name, count(*) AS n FROM public.${quoteIdent(name)}`,
          )
          .join(" UNION ALL "),
      );
      for (const r of counted.rows) rows[r.name] = Number(r.n);
    }
    const indexes = await c.query<{ d: string }>(
      "SELECT indexname || ': ' || indexdef AS d FROM pg_catalog.pg_indexes WHERE schemaname = 'public' ORDER BY 1",
    );
    const constraints = await c.query<{ d: string }>(
      `SELECT conname || ': ' || pg_catalog.pg_get_constraintdef(oid) AS d FROM pg_catalog.pg_constraint
        WHERE connamespace = 'public'::regnamespace AND contype IN ('p', 'u', 'f') ORDER BY 1`,
    );
    return {
      rows,
      indexes: indexes.rows.map((r) => r.d),
      constraints: constraints.rows.map((r) => r.d),
    };
  });
}

/** The differences between the source's shape and a copy's, one line each (empty: identical). */
export function shapeDifferences(expected: Shape, actual: Shape): string[] {
  const out: string[] = [];
  const tables = new Set([...Object.keys(expected.rows), ...Object.keys(actual.rows)]);
  for (const t of [...tables].sort()) {
    if (expected.rows[t] !== actual.rows[t])
      out.push(`table ${t}: source ${expected.rows[t] ?? "absent"} rows, copy ${actual.rows[t] ?? "absent"}`);
  }
  const missing = (kind: string, a: readonly string[], b: readonly string[]) => {
    const inA = new Set(a);
    const inB = new Set(b);
    for (const x of a) if (!inB.has(x)) out.push(`${kind} missing from the copy: ${x}`);
    for (const x of b) if (!inA.has(x)) out.push(`${kind} only in the copy: ${x}`);
  };
  missing("index", expected.indexes, actual.indexes);
  missing("constraint", expected.constraints, actual.constraints);
  return out;
}
