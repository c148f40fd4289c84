/**
 * What a verify compared, and what it did not, in words for the summary: it names exactly the
 * checks it made, so that it never reads as "verified" for a property it did not look at.
 */
import { DIGEST_VERSION } from "./digest.js";

export interface ChecksInput {
  readonly method: "counts" | "checksum";
  /** Tables, partitions, inheritance children and materialized views compared. */
  readonly tables: number;
  /** Large objects on the source; undefined when they were not compared (a schema selection). */
  readonly largeObjects: number | undefined;
  readonly privileges: boolean;
  readonly allDatabaseSettings: boolean;
  readonly wholeDatabase: boolean;
}

/** The kinds a run does not carry (docs/schema.md): read on both sides, listed, never a difference. */
export const NOT_CARRIED_KINDS =
  "extension versions (a run creates the destination's default), publications, subscriptions, event triggers, user mappings, settings for one role, the database's comment, security labels, conversions, text search parsers and templates";

export function checksMade(input: ChecksInput): { checks: string[]; notCompared: string[] } {
  const checks = [
    "catalog: every property of schemas, extensions, types, domains, functions, procedures, aggregates, tables and their columns, partitions, inheritance, sequences and their values, views, materialized views, constraints, indexes (validity and statistics too), triggers and their states, rules, policies, collations, statistics objects, text search configurations and dictionaries, casts, operators, operator classes and families, access methods, procedural languages, foreign-data wrappers, servers and foreign tables, transforms, comments, extension configuration tables",
    `database settings a run copies${input.allDatabaseSettings ? " (every one but pgsync-ts's own marker and default_transaction_read_only)" : " by default (src/sql/settings-policy.ts)"}`,
    `row counts of ${input.tables} tables, partitions and materialized views (each on its own)`,
  ];
  const notCompared: string[] = [];
  if (input.method === "checksum")
    checks.push(
      `content checksums (digest version ${DIGEST_VERSION}) of the same relations, every column included`,
    );
  else notCompared.push("table contents (method counts: only row counts)");
  if (input.largeObjects !== undefined)
    checks.push(
      `${input.largeObjects} large objects: OID, size${input.method === "checksum" ? ", content digest" : ""} and comment${input.privileges ? ", owner and grants" : ""}`,
    );
  else notCompared.push("large objects (they belong to no schema: a schema selection leaves them out)");
  if (input.privileges)
    checks.push(
      "owners and grants, column grants and default privileges (schema owners excepted: a run keeps the destination's)",
    );
  else notCompared.push("owners and grants (pass --with-privileges for a copy made with it)");
  if (!input.allDatabaseSettings)
    notCompared.push(
      "database settings a run copies only with copyDatabaseSettings (--with-database-settings)",
    );
  if (!input.wholeDatabase) notCompared.push("database-wide objects (a schema selection)");
  notCompared.push(`kinds a run does not carry, listed apart: ${NOT_CARRIED_KINDS}`);
  notCompared.push("tablespaces and collation versions (never carried)");
  return { checks, notCompared };
}
