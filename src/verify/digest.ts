import type pg from "pg";
import { z } from "zod";
import { type ColumnExpression, readSettings, readsOf, type SourceRows } from "../copy/source-rows.js";
import { queryRows, text } from "../db/rows.js";
import { PgsyncError } from "../errors.js";
import { hideBoundValues, IPAD_SETTING } from "../mask/hmac.js";
import { qualify, quoteIdent, quoteLiteral } from "../sql/quote.js";

/**
 * The one content digest of a table, computed inside each database so no row travels to the tool:
 * each row rendered as text, hashed with md5, and the first 64 bits summed as numeric (which does
 * not overflow and ignores row order). `verify`, a run's checksum step and an archive's manifest all
 * compute it here, and record the version, because a digest compares only with one of its version.
 *
 * - Version 1: the columns the caller lists; the session's own output settings.
 * - Version 2: every column of the relation in order, inherited ones included (a partition's rows
 *   are no longer empty tuples), and the output settings pinned, TimeZone among them, so equal
 *   `timestamptz` values render the same on servers with different time zones. Materialized views
 *   are digested like tables.
 */
export const DIGEST_VERSION: DigestVersion = 2;
export const DIGEST_VERSIONS = [1, 2] as const;
export type DigestVersion = (typeof DIGEST_VERSIONS)[number];

/** The output settings a digest of this version renders rows with. */
export function digestSettings(version: DigestVersion): Readonly<Record<string, string>> {
  if (version === 1) return {};
  return {
    TimeZone: "UTC",
    DateStyle: "ISO, MDY",
    IntervalStyle: "postgres",
    extra_float_digits: "3",
    bytea_output: "hex",
  };
}

export interface TableDigest {
  readonly rows: number;
  /** Order-independent content checksum, as a decimal string (absent when only counted). */
  readonly checksum?: string;
  readonly version: DigestVersion;
}

/**
 * The statement that counts (and with `checksum`, digests) the rows of ONLY this relation. A masked
 * table's source side digests its masked columns' expressions, cast to the column's type, in place
 * of the columns (their text is then the text the destination's columns have); a subset's reads add
 * their condition. Neither changes the digest itself, only which values it reads.
 */
export function digestSql(
  relation: { readonly schema: string; readonly name: string },
  columns: readonly string[],
  options: {
    readonly checksum: boolean;
    readonly expressions?: ReadonlyMap<string, ColumnExpression>;
    readonly filter?: string;
  },
): string {
  const name = qualify(relation.schema, relation.name);
  const where = options.filter ? ` WHERE (${options.filter})` : "";
  if (!options.checksum) return `SELECT count(*)::text AS n FROM ONLY ${name} AS t${where}`;
  const value = (c: string) => {
    const e = options.expressions?.get(c);
    return e ? `CAST((${e.sql}) AS ${e.type})` : `t.${quoteIdent(c)}`;
  };
  const row = columns.length > 0 ? `ROW(${columns.map(value).join(", ")})::text` : "''";
  return `SELECT count(*)::text AS n,
       coalesce(sum(('x' || substr(md5(${row}), 1, 16))::bit(64)::bigint::numeric), 0)::text AS checksum
FROM ONLY ${name} AS t${where}`;
}

/** `SET LOCAL` for the version's settings: the caller is inside the transaction that reads the rows. */
export function digestSetup(version: DigestVersion): string | undefined {
  const settings = Object.entries(digestSettings(version));
  if (settings.length === 0) return undefined;
  return settings.map(([k, v]) => `SET LOCAL ${k} = ${quoteLiteral(v)}`).join("; ");
}

const DigestRow = z.object({ n: text, checksum: z.string().nullish() });

/**
 * The digest of what the source sends of a table (src/copy/source-rows.ts): its masked columns'
 * values and its subset's rows, read by the same reads as the COPY, the counts and sums added up
 * (the checksum is a sum, so reads of disjoint rows add). Same client rules as digestTable.
 */
export async function digestSourceRows(
  client: pg.Client,
  relation: { readonly schema: string; readonly name: string },
  columns: readonly string[],
  rows: SourceRows | undefined,
  options: { readonly checksum: boolean },
): Promise<TableDigest> {
  if (!rows) return digestTable(client, relation, columns, options);
  const setup = digestSetup(DIGEST_VERSION);
  if (setup) await client.query(setup);
  if (rows.settings && IPAD_SETTING in rows.settings) await hideBoundValues(client);
  let count = 0;
  let sum = 0n;
  for (const read of readsOf(rows)) {
    for (const [name, value] of Object.entries(readSettings(rows, read)))
      await client.query("SELECT pg_catalog.set_config($1, $2, true)", [name, value]);
    const sql = digestSql(relation, columns, {
      ...options,
      ...(rows.expressions ? { expressions: rows.expressions } : {}),
      ...(read.filter ? { filter: read.filter } : {}),
    });
    const [row] = await queryRows(
      client,
      `digest of ${qualify(relation.schema, relation.name)}`,
      sql,
      [],
      DigestRow,
    );
    count += Number(row?.n ?? 0);
    sum += BigInt(row?.checksum ?? "0");
    // A read's kept tuple ids can be large: not left in the session for the rest of the run.
    for (const name of Object.keys(read.settings ?? {}))
      await client.query("SELECT pg_catalog.set_config($1, '', true)", [name]);
  }
  return { rows: count, ...(options.checksum ? { checksum: sum.toString() } : {}), version: DIGEST_VERSION };
}

/**
 * Digests one relation (a table, a partition, a materialized view) on a client that is inside a
 * transaction (the caller's snapshot). `columns` are the relation's columns in order: for version 2,
 * all of them, inherited ones included.
 */
export async function digestTable(
  client: pg.Client,
  relation: { readonly schema: string; readonly name: string },
  columns: readonly string[],
  options: { readonly checksum: boolean; readonly version?: DigestVersion },
): Promise<TableDigest> {
  const version = options.version ?? DIGEST_VERSION;
  if (!(DIGEST_VERSIONS as readonly number[]).includes(version)) {
    throw new PgsyncError(
      "usage",
      `content digest version ${version} is unknown (known: ${DIGEST_VERSIONS.join(", ")})`,
    );
  }
  const setup = digestSetup(version);
  if (setup) await client.query(setup);
  const sql = digestSql(relation, columns, options);
  const [row] = await queryRows(
    client,
    `digest of ${qualify(relation.schema, relation.name)}`,
    sql,
    [],
    DigestRow,
  );
  return {
    rows: Number(row?.n ?? 0),
    ...(options.checksum && row?.checksum != null ? { checksum: row.checksum } : {}),
    version,
  };
}
