import pRetry from "p-retry";

/**
 * Which connection failures a retry can fix. A managed database may be waking a suspended compute
 * (the port refuses connections, or the server says it is starting up) or be out of connection
 * slots for a moment; those are retried with backoff. A wrong password, a missing database, a
 * missing privilege, a host name that does not resolve or a certificate that does not verify stay
 * wrong however often the tool asks, so they fail at once.
 */

/** Socket errors of a server that is not (yet) reachable. ENOTFOUND is not here: a bad name stays bad. */
const TRANSIENT_SOCKET_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ECONNABORTED",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EPIPE",
  // getaddrinfo's "temporary failure in name resolution": the resolver itself was unreachable.
  "EAI_AGAIN",
]);

/** SQLSTATEs a server sends while it cannot take a connection yet. */
const TRANSIENT_SQLSTATES = new Map([
  ["57P03", "the server is starting up or not accepting connections yet"],
  ["53300", "too many connections"],
  ["57P01", "the server is shutting down (a restart)"],
  ["57P02", "the server is restarting after a crash"],
  ["08006", "the connection failed"],
  ["08001", "the server could not establish the connection"],
]);

/** Failures worded by node-postgres or a pooler rather than coded. */
const TRANSIENT_MESSAGES = [
  /^Connection terminated unexpectedly$/,
  /^Connection terminated due to connection timeout$/,
  // PgBouncer while its server is down or being started.
  /server login has been failing, try again later/,
  /pgbouncer cannot connect to server/,
  /no more connections allowed \(max_client_conn\)/,
];

/** Never retried, with what each means (for the error message). */
const PERMANENT_SQLSTATES = new Map([
  ["28P01", "the password was rejected"],
  ["28000", "the server rejected the login (role or pg_hba.conf)"],
  ["3D000", "the database does not exist"],
  ["42501", "the role lacks a privilege needed to connect"],
]);

function codes(error: unknown): string[] {
  if (typeof error !== "object" || error === null) return [];
  const found: string[] = [];
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string") found.push(code);
  // Node's happy-eyeballs connect (localhost = ::1 and 127.0.0.1) fails with an AggregateError.
  if (error instanceof AggregateError) for (const inner of error.errors) found.push(...codes(inner));
  return found;
}

export type ErrorClass =
  | { readonly transient: true; readonly reason: string }
  | { readonly transient: false; readonly reason?: string };

export function classifyConnectError(error: unknown): ErrorClass {
  const all = codes(error);
  for (const code of all) {
    const permanent = PERMANENT_SQLSTATES.get(code);
    if (permanent) return { transient: false, reason: permanent };
    if (code === "ENOTFOUND") return { transient: false, reason: "the host name does not resolve" };
  }
  for (const code of all) {
    const reason = TRANSIENT_SQLSTATES.get(code);
    if (reason) return { transient: true, reason };
    if (TRANSIENT_SOCKET_CODES.has(code)) return { transient: true, reason: code };
  }
  const message = error instanceof Error ? error.message : String(error);
  if (TRANSIENT_MESSAGES.some((re) => re.test(message))) return { transient: true, reason: message };
  return { transient: false };
}

export interface RetryInfo {
  /** The attempt that just failed (1-based). */
  readonly attempt: number;
  readonly error: unknown;
  readonly reason: string;
  /** Seconds since the first attempt started. */
  readonly elapsedSeconds: number;
}

export interface RetryOptions {
  /** Total time to keep trying, in seconds (the profile's timeouts.connectSeconds). */
  readonly seconds: number;
  readonly onRetry?: (info: RetryInfo) => void;
  readonly signal?: AbortSignal;
  /** First delay in ms (doubles each time, with jitter, up to maxDelayMs). */
  readonly firstDelayMs?: number;
  readonly maxDelayMs?: number;
}

export interface RetryOutcome<T> {
  readonly value: T;
  readonly attempts: number;
}

/** Thrown when connecting failed; carries how many attempts were made and for how long. */
export class RetriesExhausted extends Error {
  constructor(
    readonly lastError: unknown,
    readonly attempts: number,
    readonly elapsedSeconds: number,
    readonly transient: boolean,
  ) {
    super(lastError instanceof Error ? lastError.message : String(lastError), { cause: lastError });
    this.name = "RetriesExhausted";
  }
}

/**
 * Calls `attempt` until it succeeds, a permanent error occurs, or the time is up. Each call gets the
 * milliseconds left, to bound its own connect timeout.
 */
export async function retryTransient<T>(
  attempt: (remainingMs: number) => Promise<T>,
  options: RetryOptions,
): Promise<RetryOutcome<T>> {
  const budgetMs = Math.max(0, options.seconds * 1000);
  const started = performance.now();
  const elapsed = () => performance.now() - started;
  let attempts = 0;
  try {
    const value = await pRetry(
      () => {
        attempts++;
        // The last try still gets a short window, so a budget used up by backoff is not a 0 ms try.
        return attempt(Math.max(1000, budgetMs - elapsed()));
      },
      {
        retries: Number.POSITIVE_INFINITY,
        factor: 2,
        minTimeout: options.firstDelayMs ?? 250,
        maxTimeout: options.maxDelayMs ?? 4000,
        randomize: true,
        maxRetryTime: budgetMs,
        ...(options.signal ? { signal: options.signal } : {}),
        shouldRetry: ({ error }) => classifyConnectError(error).transient,
        onFailedAttempt: ({ error, attemptNumber }) => {
          const verdict = classifyConnectError(error);
          if (verdict.transient && elapsed() < budgetMs) {
            options.onRetry?.({
              attempt: attemptNumber,
              error,
              reason: verdict.reason,
              elapsedSeconds: Math.round(elapsed() / 100) / 10,
            });
          }
        },
      },
    );
    return { value, attempts };
  } catch (error) {
    throw new RetriesExhausted(
      error,
      attempts,
      Math.round(elapsed() / 100) / 10,
      classifyConnectError(error).transient,
    );
  }
}
