import pg from "pg";
import { z } from "zod";
import { PgsyncError, serverFields } from "../errors.js";
import { maskConnectionString, registerConnectionString } from "../util/redact.js";
import { type ConnectTarget, connectTarget } from "./client-config.js";
import { markConnectFailure, rememberErrorSide } from "./lost-connection.js";
import { onParameterStatus } from "./pg-internals.js";
import { backendPid, DIRECT_ENDPOINT_HINT, isPooled, startupParameterRejected } from "./pooler.js";
import { classifyConnectError, RetriesExhausted, type RetryInfo, retryTransient } from "./retry.js";
import { int, validRow } from "./rows.js";
import { rememberSession } from "./session.js";
import { type SslMode, type SslSetting, tlsHint } from "./tls.js";

export type Side = "source" | "destination";

export interface ConnectOptions {
  readonly url: string;
  readonly side: Side;
  /**
   * How long to keep trying to connect, in seconds (the profile's timeouts.connectSeconds). Errors a
   * retry can fix (connection refused while a compute wakes, 57P03, 53300) are retried with backoff
   * for this long; the others (28P01, 3D000, 42501, ENOTFOUND, TLS) fail at once.
   */
  readonly connectSeconds: number;
  readonly applicationName?: string;
  /** Told about each failed attempt that will be retried. */
  readonly onRetry?: (info: RetryInfo & { readonly side: Side }) => void;
  readonly signal?: AbortSignal;
}

/** A node-postgres client that knows which side it talks to and the masked URL, for error messages. */
export interface Connection {
  readonly client: pg.Client;
  readonly side: Side;
  readonly maskedUrl: string;
  /** Major version of the server behind the connection. */
  readonly serverMajor: number;
  /**
   * Whether a pooler sits between the tool and the server (see pooler.ts). Asked on demand, not at
   * connect: the check is a query, and behind a pooler whose server connections are all taken a
   * query waits; connecting itself must not.
   */
  isPooled(): Promise<boolean>;
  /** Whether the connection is encrypted, and the sslmode that decided it. */
  readonly tls: { readonly encrypted: boolean; readonly mode: SslMode };
  /** How many attempts connecting took (1 when the server answered at once). */
  readonly attempts: number;
  close(): Promise<void>;
}

/**
 * Opens one connection: TLS as libpq's sslmode says (tls.ts), retrying what a retry can fix
 * (retry.ts), and records what later transactions need to know (server version, pooler). Session
 * settings are never sent as startup parameters (a transaction pooler rejects `options`); every
 * setting the tool needs is applied with SET LOCAL per transaction (session.ts).
 */
export async function connect(options: ConnectOptions): Promise<Connection> {
  const maskedUrl = registerConnectionString(options.url);
  const target = await connectTarget(options.url).catch((error: unknown) => {
    if (error instanceof PgsyncError) {
      throw new PgsyncError("config", `${options.side} URL ${maskedUrl}: ${error.message}`, {
        side: options.side,
      });
    }
    throw error;
  });
  const applicationName = options.applicationName ?? target.config.application_name ?? "pgsync-ts";
  let outcome: Awaited<ReturnType<typeof retryTransient<Opened>>>;
  try {
    outcome = await retryTransient((remainingMs) => openOnce(target, applicationName, remainingMs), {
      seconds: options.connectSeconds,
      ...(options.onRetry ? { onRetry: (info) => options.onRetry?.({ ...info, side: options.side }) } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
  } catch (error) {
    throw markConnectFailure(connectionError(options, maskedUrl, target, error));
  }
  const { client, serverMajor, encrypted } = outcome.value;
  rememberSession(client, { serverMajor, side: options.side });
  // A lost session's errors then say which side it was (the step that fails names it, and the state).
  rememberErrorSide(client, options.side);
  let closed = false;
  let pooled: Promise<boolean> | undefined;
  return {
    client,
    side: options.side,
    maskedUrl,
    serverMajor,
    isPooled() {
      pooled ??= backendPid(client).then((pid) => isPooled(client, pid));
      return pooled;
    },
    tls: { encrypted, mode: target.tls.mode },
    attempts: outcome.attempts,
    async close() {
      if (closed) return;
      closed = true;
      await client.end().catch(() => {});
    },
  };
}

interface Opened {
  readonly client: pg.Client;
  readonly serverMajor: number;
  readonly encrypted: boolean;
}

/**
 * Servers (host and port) that answered this process's TLS request with "no TLS": sslmode=prefer
 * connects to them in plaintext straight away. libpq goes on in plaintext on the same connection
 * when the server declines; node-postgres closes it, so each connection of a run (eight or more)
 * would otherwise be opened twice. prefer never authenticates the server, so this allows nothing
 * a declined request on every connection would not.
 */
const declinedTls = new Set<string>();

/** One attempt: the TLS tries of the plan in order (prefer: TLS, then plaintext if the server has none). */
async function openOnce(target: ConnectTarget, applicationName: string, timeoutMs: number): Promise<Opened> {
  const [first, second] = target.tls.tries;
  const server = `${target.config.host ?? ""}:${target.config.port ?? ""}`;
  if (target.tls.mode === "prefer" && second === false && declinedTls.has(server))
    return openWith(target, applicationName, timeoutMs, second);
  try {
    return await openWith(target, applicationName, timeoutMs, first);
  } catch (error) {
    if (second === undefined || !serverRefused(first, error)) throw error;
    if (target.tls.mode === "prefer") declinedTls.add(server);
    return openWith(target, applicationName, timeoutMs, second);
  }
}

/**
 * Whether the server turned the first try down in a way the second try answers: it has no TLS
 * (prefer), or its pg_hba.conf rejects unencrypted connections (allow). A certificate that fails
 * verification is not a refusal: falling back to plaintext then would defeat the check.
 */
function serverRefused(first: SslSetting, error: unknown): boolean {
  const message = error instanceof Error ? error.message : "";
  if (first !== false) return message === "The server does not support SSL connections";
  return serverFields(error)?.code === "28000" && /no encryption/.test(message);
}

async function openWith(
  target: ConnectTarget,
  applicationName: string,
  timeoutMs: number,
  ssl: SslSetting,
): Promise<Opened> {
  const client = new pg.Client({
    ...target.config,
    application_name: applicationName,
    ssl,
    connectionTimeoutMillis: Math.max(1, Math.round(timeoutMs)),
  });
  // A dropped connection emits 'error' on the client; without a listener Node would crash the process.
  client.on("error", () => {});
  // The server reports its version at login (PgBouncer passes it on): no query is needed for it.
  let serverVersion: string | undefined;
  onParameterStatus(client, (name, value) => {
    if (name === "server_version") serverVersion = value;
  });
  try {
    await client.connect();
    return { client, serverMajor: await majorOf(client, serverVersion), encrypted: ssl !== false };
  } catch (error) {
    await client.end().catch(() => {});
    throw error;
  }
}

/** "17.10", "16.4 (Debian 16.4-1)", "18beta1" -> the major; asks the server only if it was not told. */
async function majorOf(client: pg.Client, serverVersion: string | undefined): Promise<number> {
  const major = Number(/^(\d+)/.exec(serverVersion ?? "")?.[1]);
  if (major >= 10) return major;
  // Not pinned: the session is not the tool's yet (rememberSession comes after the login), and the
  // statement names every object with its schema.
  const sql = "SELECT pg_catalog.current_setting('server_version_num')::int AS n";
  const { n } = validRow(await client.query(sql), z.object({ n: int }), { name: "server version", sql });
  return Math.floor(n / 10000);
}

function connectionError(
  options: ConnectOptions,
  maskedUrl: string,
  target: ConnectTarget,
  error: unknown,
): PgsyncError {
  const exhausted = error instanceof RetriesExhausted ? error : undefined;
  const cause = exhausted ? exhausted.lastError : error;
  if (cause instanceof PgsyncError) return cause;
  const server = serverFields(cause);
  const message = cause instanceof Error ? cause.message : String(cause);
  const parts = [`cannot connect to the ${options.side} (${maskedUrl}): ${message}`];
  const hint = connectHint(cause, target);
  if (hint) parts.push(`— ${hint}`);
  if (exhausted?.transient) {
    parts.push(
      `(gave up after ${exhausted.attempts} attempt${exhausted.attempts === 1 ? "" : "s"} in ${exhausted.elapsedSeconds} s; timeouts.connectSeconds is ${options.connectSeconds})`,
    );
  } else if (exhausted) {
    parts.push("(not retried: retrying cannot fix this)");
  }
  return new PgsyncError(
    "connection",
    parts.join(" "),
    { side: options.side, ...(server ? { server } : {}) },
    { cause },
  );
}

function connectHint(error: unknown, target: ConnectTarget): string | undefined {
  const tls = tlsHint(error, target.tls, target.host);
  if (tls) return tls;
  const parameter = startupParameterRejected(error);
  if (parameter) {
    return `a connection pooler rejected the startup parameter "${parameter}"${parameter === "options" ? " (from the URL's options=...)" : ""}: remove it from the URL, or ${DIRECT_ENDPOINT_HINT}`;
  }
  const verdict = classifyConnectError(error);
  if (!verdict.transient && verdict.reason) {
    return verdict.reason === "the host name does not resolve"
      ? `the host name "${target.host}" does not resolve`
      : verdict.reason;
  }
  return undefined;
}

export { maskConnectionString };

/**
 * Opens one connection to each side at once. If either fails, the other is closed before the error
 * is thrown, so a refused login never leaves a connection (and the process) hanging.
 */
export async function connectBoth(
  sourceUrl: string,
  destinationUrl: string,
  connectSeconds: number,
): Promise<{ source: Connection; destination: Connection; close: () => Promise<void> }> {
  const attempts = [
    connect({ url: sourceUrl, side: "source", connectSeconds }),
    connect({ url: destinationUrl, side: "destination", connectSeconds }),
  ];
  const results = await Promise.allSettled(attempts);
  const opened = results.flatMap((r) => (r.status === "fulfilled" ? [r.value] : []));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
  if (failed) {
    await Promise.all(opened.map((c) => c.close()));
    throw failed.reason;
  }
  const [source, destination] = opened as [Connection, Connection];
  return { source, destination, close: async () => void (await Promise.all(opened.map((c) => c.close()))) };
}
