import pg from "pg";
import { PgsyncError, serverFields } from "../errors.js";
import { maskUrl, registerUrl } from "../util/mask.js";

export type Side = "source" | "destination";

export interface ConnectOptions {
  readonly url: string;
  readonly side: Side;
  /** How long to keep trying to connect, in seconds. */
  readonly connectSeconds: number;
  readonly applicationName?: string;
}

/** A node-postgres client that knows which side it talks to and the masked URL, for error messages. */
export interface Connection {
  readonly client: pg.Client;
  readonly side: Side;
  readonly maskedUrl: string;
  close(): Promise<void>;
}

/**
 * Opens one connection. Session-level settings are never sent as startup parameters (a transaction
 * pooler rejects `options`); every setting the tool needs is applied with SET LOCAL per transaction.
 */
export async function connect(options: ConnectOptions): Promise<Connection> {
  const maskedUrl = registerUrl(options.url);
  let parsedOk = true;
  try {
    new URL(options.url);
  } catch {
    parsedOk = false;
  }
  if (!parsedOk) {
    throw new PgsyncError("config", `${options.side} URL is malformed: ${maskedUrl}`, { side: options.side });
  }
  const client = new pg.Client({
    connectionString: options.url,
    application_name: options.applicationName ?? "pgsync-ts",
    connectionTimeoutMillis: Math.max(1, options.connectSeconds) * 1000,
  });
  // A dropped connection emits 'error' on the client; without a listener Node would crash the process.
  client.on("error", () => {});
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => {});
    throw connectionError(options.side, maskedUrl, error);
  }
  let closed = false;
  return {
    client,
    side: options.side,
    maskedUrl,
    async close() {
      if (closed) return;
      closed = true;
      await client.end().catch(() => {});
    },
  };
}

function connectionError(side: Side, maskedUrl: string, error: unknown): PgsyncError {
  const server = serverFields(error);
  const cause = error instanceof Error ? error.message : String(error);
  return new PgsyncError(
    "connection",
    `cannot connect to the ${side} (${maskedUrl}): ${cause}`,
    { side, ...(server ? { server } : {}) },
    { cause: error },
  );
}

export { maskUrl };

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
