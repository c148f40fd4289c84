import type pg from "pg";
import { z } from "zod";
import { num, oid, queryRows, text, validRows } from "../db/rows.js";
import { PgsyncError, wrapError } from "../errors.js";
import { LARGE_OBJECT_CHUNK, LARGE_OBJECT_SIZES } from "../introspect/queries/large-objects.js";
import { quoteIdent } from "../sql/quote.js";

/**
 * A large object's size and content digest, computed inside its database (no content travels to
 * the tool): the md5 of the concatenated md5s of its chunks of LARGE_OBJECT_CHUNK bytes, so a big
 * object is never read whole into memory. Both sides use the same chunking, so digests compare.
 */
export interface LargeObjectDigest {
  readonly oid: number;
  readonly size: number;
  readonly digest?: string;
}

const Digested = z.object({ oid, size: num, digest: text.optional() });
const Staged = z.object({ oid, size: num, staged_size: num, source_digest: text, staged_digest: text });

/** The live large objects of a database, with (withContent) their digests. */
export async function digestLargeObjects(
  client: pg.Client,
  withContent: boolean,
  side: "source" | "destination",
): Promise<LargeObjectDigest[]> {
  const digest = withContent
    ? `, pg_catalog.md5(coalesce((
         SELECT string_agg(pg_catalog.md5(pg_catalog.lo_get(s.oid, c.off, ${LARGE_OBJECT_CHUNK})), '' ORDER BY c.off)
         FROM pg_catalog.generate_series(0::bigint, s.size - 1, ${LARGE_OBJECT_CHUNK}) c(off)), '')) AS digest`
    : "";
  const sql = `SELECT s.oid, s.size::text AS size${digest} FROM ${LARGE_OBJECT_SIZES} s ORDER BY s.oid`;
  try {
    const result = await client.query(sql);
    const rows = validRows(result, Digested, { name: "large objects", sql, side, kind: "verify" });
    return rows.map((r) => ({ oid: r.oid, size: r.size, ...(r.digest ? { digest: r.digest } : {}) }));
  } catch (error) {
    if (error instanceof PgsyncError) throw error;
    const oid = /large object (\d+)/.exec(String((error as Error)?.message))?.[1];
    const privilege =
      oid && (error as { code?: string })?.code === "42501"
        ? `: the ${side} role lacks the SELECT privilege on large object ${oid}`
        : "";
    throw wrapError("verify", `reading the large objects of the ${side}${privilege}`, error, {
      side,
      sql,
      ...(oid ? { object: `large object ${oid}` } : {}),
    });
  }
}

/**
 * The staged large objects of a run, as the source described them (sizes, and digests made of the
 * chunk md5s the source computed) and as the destination holds them (digests of the staged bytes).
 */
export async function digestStagedLargeObjects(
  client: pg.Client,
  stage: string,
): Promise<{ source: LargeObjectDigest[]; destination: LargeObjectDigest[] }> {
  const schema = quoteIdent(stage);
  const rows = await queryRows(
    client,
    "staged large objects",
    `SELECT o.loid AS oid, o.size::text AS size, coalesce(sum(c.len), 0)::text AS staged_size,
            pg_catalog.md5(coalesce(string_agg(c.source_md5, '' ORDER BY c.off), '')) AS source_digest,
            pg_catalog.md5(coalesce(string_agg(c.md5, '' ORDER BY c.off), '')) AS staged_digest
     FROM ${schema}.objects o
     LEFT JOIN (SELECT loid, off, source_md5, pg_catalog.md5(data) AS md5, pg_catalog.length(data) AS len
                FROM ${schema}.chunks) c ON c.loid = o.loid
     GROUP BY o.loid, o.size ORDER BY o.loid`,
    [],
    Staged,
    "destination",
  );
  return {
    source: rows.map((r) => ({ oid: r.oid, size: r.size, digest: r.source_digest })),
    destination: rows.map((r) => ({ oid: r.oid, size: r.staged_size, digest: r.staged_digest })),
  };
}

/** Every difference between two sets of large objects, each naming the large object's OID. */
export function compareLargeObjects(
  source: readonly LargeObjectDigest[],
  destination: readonly LargeObjectDigest[],
): string[] {
  const out: string[] = [];
  if (source.length !== destination.length)
    out.push(`large objects: count differs: source ${source.length}; destination ${destination.length}`);
  const theirs = new Map(destination.map((d) => [d.oid, d]));
  const ours = new Set(source.map((s) => s.oid));
  for (const s of source) {
    const d = theirs.get(s.oid);
    if (!d) out.push(`large object ${s.oid}: missing on the destination`);
    else if (s.size !== d.size)
      out.push(`large object ${s.oid}: size differs: source ${s.size} bytes; destination ${d.size} bytes`);
    else if (s.digest !== undefined && d.digest !== undefined && s.digest !== d.digest)
      out.push(`large object ${s.oid}: content digest differs: source ${s.digest}; destination ${d.digest}`);
  }
  for (const d of destination)
    if (!ours.has(d.oid)) out.push(`large object ${d.oid}: exists only on the destination`);
  return out;
}
