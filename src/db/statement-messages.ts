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
