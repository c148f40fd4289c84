import type pg from "pg";
import { execute } from "./session.js";

/** A statement and the object it creates or changes, which the error of its failure names. */
export interface NamedStatement {
  readonly sql: string;
  readonly object: string;
}

/**
 * Runs the statements in order, inside the caller's transaction, in one message: one round trip
 * instead of one each. The caller has taken the savepoint in an earlier message: the server parses
 * a whole message before it runs any of it, so a statement that does not parse (one that an older
 * major rejects) fails the message before a savepoint inside it would exist. A failed message goes
 * back to the savepoint and runs again one statement at a time, so the error names the object whose
 * statement failed, with its SQL, as one statement at a time would.
 */
export async function executeFromSavepoint(
  client: pg.Client,
  statements: readonly NamedStatement[],
  savepoint: string,
  kind: "ddl" | "cutover" = "ddl",
): Promise<void> {
  const release = `RELEASE SAVEPOINT ${savepoint}`;
  // A newline before each ";": a statement's last line may be a comment.
  const text = [...statements.map((s) => s.sql), release].join("\n;\n");
  try {
    await client.query(text);
  } catch {
    await client.query(`ROLLBACK TO SAVEPOINT ${savepoint}`);
    // One at a time: the failing statement throws, naming its object (if none fails, all are in).
    for (const s of statements) await execute(client, s.sql, s.object, kind);
    await client.query(release);
  }
}

/** Statements sent in one message: one round trip instead of one each (10,000 tables: 100 instead of 10,000). */
const STATEMENTS_PER_MESSAGE = 100;

/**
 * Runs the statements in order, inside the caller's transaction, a hundred to a message, each
 * message after a savepoint of its own (executeFromSavepoint: a failed message runs again one
 * statement at a time, naming the object). A single statement goes alone.
 */
export async function executeInMessages(
  client: pg.Client,
  statements: readonly NamedStatement[],
  savepoint: string,
  kind: "ddl" | "cutover" = "ddl",
): Promise<void> {
  for (let from = 0; from < statements.length; from += STATEMENTS_PER_MESSAGE) {
    const part = statements.slice(from, from + STATEMENTS_PER_MESSAGE);
    const [only] = part;
    if (part.length === 1 && only) {
      await execute(client, only.sql, only.object, kind);
      continue;
    }
    await client.query(`SAVEPOINT ${savepoint}`);
    await executeFromSavepoint(client, part, savepoint, kind);
  }
}
