import { EventEmitter } from "node:events";
import type pg from "pg";
import { PgsyncError } from "../errors.js";

/**
 * A connection lost mid-run (the server ended the session, the network dropped it) surfaces as
 * node-postgres's own words: "Connection terminated unexpectedly", "Client has encountered a
 * connection error and is not queryable", "write ECONNRESET". None of them says which server was
 * lost. connect() has every client of the tool remember its side on the errors it produces, so the
 * step that fails can say which side was lost and what state that leaves (src/pipeline/step-runner.ts).
 */

type Side = "source" | "destination";

const sides = new WeakMap<object, Side>();
const commits = new WeakSet<object>();
const refusals = new WeakSet<object>();

/**
 * Called by connect() on the error it throws when a connection cannot be opened (retried, with its
 * own hint): that is not a lost session, and its message stays as it is.
 */
export function markConnectFailure<E extends object>(error: E): E {
  refusals.add(error);
  return error;
}

/** Marks the errors of this client with its side: those its queries reject with, and those it emits. */
export function rememberErrorSide(client: pg.Client, side: Side): void {
  client.on("error", (error: unknown) => tag(error, side));
  const query = client.query;
  client.query = function (this: pg.Client, ...args: unknown[]) {
    const result = (query as (...a: unknown[]) => unknown).apply(this, args);
    if (result instanceof Promise) {
      return result.catch((error: unknown) => {
        throw tag(error, side);
      });
    }
    // A streaming query (COPY, a cursor) reports on the stream; its consumer (pipeline) listens too.
    if (result instanceof EventEmitter) result.on("error", (error: unknown) => tag(error, side));
    return result;
  } as typeof client.query;
}

function tag(error: unknown, side: Side): unknown {
  if (typeof error === "object" && error !== null && !sides.has(error)) sides.set(error, side);
  return error;
}

/**
 * The side whose session produced the error (or one it wraps), when known: what the client saw
 * first, then what a wrapping error says.
 */
export function errorSide(error: unknown): Side | undefined {
  const errors = chain(error);
  for (const e of errors) {
    const side = sides.get(e);
    if (side) return side;
  }
  for (const e of errors) if (e instanceof PgsyncError && e.context.side) return e.context.side;
  return undefined;
}

/**
 * Called by inTransaction when its COMMIT failed on a lost connection: whether the server committed
 * is then not known, unless the COMMIT was never sent (the client knew the session was gone).
 */
export function markCommitInDoubt(error: unknown): void {
  if (typeof error !== "object" || error === null) return;
  if (error instanceof Error && /is not queryable$/.test(error.message)) return;
  commits.add(error);
}

export function commitInDoubt(error: unknown): boolean {
  return chain(error).some((e) => commits.has(e));
}

/** SQLSTATEs of a session the server ended, or a connection that failed. */
const LOST_SQLSTATES = new Set(["57P01", "57P02", "57P03", "57P05", "25P03"]);
const LOST_SOCKET_CODES = new Set([
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "ECONNABORTED",
  "EHOSTUNREACH",
  "ENETUNREACH",
]);
const LOST_MESSAGES = [
  /^Connection terminated unexpectedly$/,
  /^Client has encountered a connection error and is not queryable$/,
  /^Connection terminated due to connection timeout$/,
  /\bECONNRESET\b|\bEPIPE\b/,
];

/**
 * The error (or one it wraps) that says a session was lost, or undefined when the error is anything
 * else. A client the tool closed itself ("Client was closed", after an interrupt) is not a loss.
 */
export function connectionLoss(error: unknown): Error | undefined {
  const errors = chain(error);
  if (errors.some((e) => refusals.has(e))) return undefined;
  return errors.find((e): e is Error => {
    if (!(e instanceof Error)) return false;
    const code = (e as { code?: unknown }).code;
    if (
      typeof code === "string" &&
      (LOST_SQLSTATES.has(code) || code.startsWith("08") || LOST_SOCKET_CODES.has(code))
    )
      return true;
    return LOST_MESSAGES.some((re) => re.test(e.message));
  });
}

/** The error and every `cause` it wraps, outermost first (objects only). */
function chain(error: unknown): object[] {
  const out: object[] = [];
  for (
    let e = error;
    typeof e === "object" && e !== null && out.length < 10;
    e = (e as { cause?: unknown }).cause
  )
    out.push(e);
  return out;
}
