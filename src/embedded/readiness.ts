/** Waiting for a freshly spawned postmaster to accept logins. */
import pg from "pg";
import { z } from "zod";
import { int, text, validRow } from "../db/rows.js";
import { PgsyncError, serverFields } from "../errors.js";
import type { PgMajor } from "./majors.js";
import { describeError, settlesWithin } from "./process.js";

export interface ReadinessProbe {
  readonly major: PgMajor;
  readonly host: string;
  readonly port: number;
  readonly superuser: string;
  readonly superuserPassword: string;
  /** Settles when the postmaster exits: waiting stops at once. */
  readonly exited: Promise<void>;
  readonly timeoutMs: number;
}

/**
 * Polls until a superuser login works and returns `server_version`. Fails early when the
 * postmaster exits, when the password is rejected, or when another server answers on the port.
 */
export async function waitUntilReady(probe: ReadinessProbe): Promise<string> {
  const { exited, timeoutMs } = probe;
  const object = `PostgreSQL ${probe.major} server on ${probe.host}:${probe.port}`;
  let gone = false;
  void exited.then(() => {
    gone = true;
  });
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (!gone) {
    if (Date.now() > deadline) {
      throw new PgsyncError(
        "connection",
        `not accepting connections after ${timeoutMs} ms (last error: ${describeError(lastError)})`,
        { object },
      );
    }
    try {
      return await askVersion(probe, object);
    } catch (error) {
      lastError = error;
      const code = (error as { code?: string }).code;
      // Wrong password on a reused data dir, or a foreign server on our port: retrying cannot help,
      // but give our postmaster a moment to die from a bind error first (reported more precisely).
      if (code === "28P01" || code === "28000" || error instanceof WrongServer) {
        if (await settlesWithin(exited, 1_000)) break;
        if (error instanceof PgsyncError) throw error;
        const server = serverFields(error);
        const context = { object, ...(server ? { server } : {}) };
        throw new PgsyncError("connection", describeError(error), context, { cause: error });
      }
    }
    await settlesWithin(exited, 100);
  }
  throw new PgsyncError(
    "connection",
    `the postmaster exited during startup (last connection error: ${describeError(lastError)})`,
    { object },
  );
}

/** Another server (not of the expected major) answered on the port. */
class WrongServer extends PgsyncError {}

async function askVersion(probe: ReadinessProbe, object: string): Promise<string> {
  const client = new pg.Client({
    host: probe.host,
    port: probe.port,
    user: probe.superuser,
    password: probe.superuserPassword,
    database: "postgres",
    connectionTimeoutMillis: 5_000,
  });
  client.on("error", () => {}); // a server going away must not crash the process
  try {
    await client.connect();
    const sql =
      "SELECT pg_catalog.current_setting('server_version') AS server_version, pg_catalog.current_setting('server_version_num')::int AS server_version_num";
    const row = validRow(
      await client.query(sql),
      z.object({ server_version: text, server_version_num: int }),
      {
        name: "server version",
        sql,
        kind: "connection",
        object,
      },
    );
    const actualMajor = Math.floor(row.server_version_num / 10_000);
    if (actualMajor !== probe.major) {
      throw new WrongServer(
        "connection",
        `expected PostgreSQL ${probe.major} but port ${probe.port} answers ${row.server_version}`,
        { object },
      );
    }
    return row.server_version;
  } finally {
    await client.end().catch(() => {});
  }
}
