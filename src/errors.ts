import { redact } from "./util/redact.js";

/** Server-side details of a failed statement, as node-postgres reports them. */
export interface ServerErrorFields {
  readonly code?: string;
  readonly detail?: string;
  readonly hint?: string;
  readonly where?: string;
  readonly schema?: string;
  readonly table?: string;
  readonly column?: string;
  readonly constraint?: string;
}

export type ErrorKind =
  | "usage" // bad flags or config: exit 2
  | "config"
  | "connection"
  | "guard" // a safety guard refused
  | "unportable" // the destination version cannot carry some objects
  | "ddl"
  | "copy"
  | "verify"
  | "cutover"
  | "archive" // an archive's store, manifest or files
  | "interrupted"
  | "internal";

export interface PgsyncErrorContext {
  /** The object the error is about, e.g. `table "public"."users"`. */
  readonly object?: string;
  /** The SQL that failed (redacted before display). */
  readonly sql?: string;
  readonly server?: ServerErrorFields;
  /** Which side of the sync: source or destination. */
  readonly side?: "source" | "destination";
}

/**
 * The error type the library throws. Its message names the object and the cause, and every text it
 * carries is redacted, so it can be printed as is.
 */
export class PgsyncError extends Error {
  readonly kind: ErrorKind;
  readonly context: PgsyncErrorContext;

  constructor(
    kind: ErrorKind,
    message: string,
    context: PgsyncErrorContext = {},
    options?: { cause?: unknown },
  ) {
    super(redact(message), options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = "PgsyncError";
    this.kind = kind;
    this.context = {
      ...context,
      ...(context.object === undefined ? {} : { object: redact(context.object) }),
      ...(context.sql === undefined ? {} : { sql: redact(context.sql) }),
    };
    if (this.stack) this.stack = redact(this.stack);
  }

  /** One-line description for a terminal: the message plus the server's code, detail and hint. */
  describe(): string {
    const parts = [this.message];
    const s = this.context.server;
    if (s?.code) parts.push(`(SQLSTATE ${s.code})`);
    if (s?.detail) parts.push(`detail: ${redact(s.detail)}`);
    if (s?.hint) parts.push(`hint: ${redact(s.hint)}`);
    return parts.join(" ");
  }

  toJSON(): Record<string, unknown> {
    return {
      kind: this.kind,
      message: this.message,
      ...(this.context.object ? { object: this.context.object } : {}),
      ...(this.context.side ? { side: this.context.side } : {}),
      ...(this.context.sql ? { sql: this.context.sql } : {}),
      ...(this.context.server ? { server: redactFields(this.context.server) } : {}),
    };
  }
}

function redactFields(fields: ServerErrorFields): ServerErrorFields {
  return Object.fromEntries(
    Object.entries(fields).map(([k, v]) => [k, typeof v === "string" ? redact(v) : v]),
  ) as ServerErrorFields;
}

/** The server's SQLSTATE of an error, raw (node-postgres) or wrapped (PgsyncError); else undefined. */
export function sqlState(error: unknown): string | undefined {
  return error instanceof PgsyncError ? error.context.server?.code : serverFields(error)?.code;
}

/** Extracts the server fields of a node-postgres DatabaseError (or nothing, for other errors). */
export function serverFields(error: unknown): ServerErrorFields | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const e = error as Record<string, unknown>;
  if (typeof e.code !== "string" || !/^[0-9A-Z]{5}$/.test(e.code)) return undefined;
  const pick = (k: string) => (typeof e[k] === "string" ? (e[k] as string) : undefined);
  const fields: Record<string, string> = { code: e.code };
  for (const k of ["detail", "hint", "where", "schema", "table", "column", "constraint"]) {
    const v = pick(k);
    if (v !== undefined) fields[k] = v;
  }
  return fields;
}

export function errorMessage(error: unknown): string {
  if (error instanceof PgsyncError) return error.describe();
  if (error instanceof Error) return redact(error.message);
  return redact(String(error));
}

/** Wraps any error thrown by a statement into a PgsyncError that names the object and carries the SQL. */
export function wrapError(
  kind: ErrorKind,
  what: string,
  error: unknown,
  context: PgsyncErrorContext = {},
): PgsyncError {
  if (error instanceof PgsyncError) return error;
  const server = serverFields(error);
  const cause = error instanceof Error ? error.message : String(error);
  return new PgsyncError(
    kind,
    `${what}: ${cause}`,
    { ...context, ...(server ? { server } : {}) },
    { cause: error },
  );
}
