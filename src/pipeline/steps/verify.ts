import type { SourceRows } from "../../copy/source-rows.js";
import { baseSettings, inTransaction, pinned } from "../../db/session.js";
import type { SyncPlan, TablePlan } from "../../ddl/plan.js";
import { PgsyncError } from "../../errors.js";
import { describeObject } from "../../sql/describe.js";
import { qualify } from "../../sql/quote.js";
import { DIGEST_VERSION, type DigestVersion, digestSourceRows, digestTable } from "../../verify/digest.js";
import type { RunContext } from "../context.js";
import type { LargeObjectSync } from "../large-objects.js";
import type { TableReport } from "../load-tasks.js";
import type { Verification } from "../options.js";
import { stagedNameReads } from "../staged-name-digest.js";
import type { Endpoints } from "./connect.js";

/** A restore from an archive verifies against the manifest: it has no source connection. */
type VerifyEnds = Pick<Endpoints, "destination"> & { readonly source?: Endpoints["source"] };

export interface VerifyInput {
  readonly plan: SyncPlan;
  readonly tables: readonly TableReport[];
  readonly largeObjects: LargeObjectSync | undefined;
  /** Receives the verification before the step can fail, so a failed run still reports what differed. */
  readonly onResult: (verification: Verification) => void;
  /** What the source sent of a table (masked columns, a subset's rows): its digest reads the same. */
  readonly rows?: (tableOid: number) => SourceRows | undefined;
  /**
   * A table's content digest as recorded at the snapshot (an archive's manifest), instead of one
   * computed on the source: a restore has no source connection.
   */
  readonly recordedDigest?: (
    t: TablePlan,
  ) => { readonly version: number; readonly checksum: string } | undefined;
}

/**
 * Step "verify", before the cut-over: every table's row count in staging (the destination's count(*)
 * against the rows the source's COPY sent at the snapshot), the staged large objects' digests, and
 * with `verify: "checksum"` every copied table's content digest in staging against the source's at
 * the snapshot. Any difference fails the run; the live schemas are untouched.
 */
export async function verifyStep(
  ctx: RunContext,
  ends: VerifyEnds,
  input: VerifyInput,
): Promise<Verification> {
  const mismatches = input.tables
    .filter((t) => t.rows !== t.destinationRows)
    .map((t) => `${t.table}: source has ${t.rows} rows, destination has ${t.destinationRows}`);
  const checks = ["row counts"];
  const withChecksum = ctx.options.verify === "checksum";
  if (withChecksum) {
    checks.push("table content checksums");
    mismatches.push(...(await checksumMismatches(ctx, ends, input)));
  }
  const dst = ends.destination.client;
  mismatches.push(...((await pinned(dst, async () => input.largeObjects?.verify(dst))) ?? []));
  if ((input.largeObjects?.report?.carried ?? 0) > 0) checks.push("large object digests");
  const verification: Verification = {
    method: checks.join(", "),
    ok: mismatches.length === 0,
    mismatches,
    ...(withChecksum ? { digestVersion: DIGEST_VERSION } : {}),
  };
  input.onResult(verification);
  if (mismatches.length > 0) {
    throw new PgsyncError("verify", `verification failed: ${mismatches.join("; ")}`);
  }
  return verification;
}

/**
 * Each copied table's digest on the source (the exporting connection, still inside the snapshot)
 * and in staging, over every column (generated ones included: the destination computes them).
 */
async function checksumMismatches(ctx: RunContext, ends: VerifyEnds, input: VerifyInput): Promise<string[]> {
  const { plan, rows } = input;
  const copied = plan.tables.filter((t: TablePlan) => t.copyData);
  const settings = baseSettings(ctx.timeouts.statementSeconds, ctx.timeouts.lockSeconds);
  return inTransaction(ends.destination.client, settings, async () => {
    const out: string[] = [];
    for (const t of copied) {
      const shaped = rows?.(t.table.oid);
      // A generated column of a masked table is computed by the destination from masked values.
      const columns = t.table.allColumns
        .filter((c) => !(shaped?.expressions && c.generated))
        .map((c) => c.name);
      // A recorded digest is compared with one of its own version (an older archive's, say).
      const recorded = input.recordedDigest?.(t);
      const sourceChecksum = async () => {
        if (input.recordedDigest) return recorded?.checksum;
        if (!ends.source) {
          const object = describeObject("table", t.table);
          throw new PgsyncError(
            "internal",
            `${object}: a checksum to compare, with no source and no recorded digest`,
            {
              object,
              side: "source",
            },
          );
        }
        return (await digestSourceRows(ends.source.client, t.table, columns, shaped, { checksum: true }))
          .checksum;
      };
      const [source, staged] = await Promise.all([
        sourceChecksum(),
        recorded
          ? digestTable(ends.destination.client, t.staging, columns, {
              checksum: true,
              version: recorded.version as DigestVersion,
            })
          : digestSourceRows(ends.destination.client, t.staging, columns, stagedNameReads(plan, t), {
              checksum: true,
            }),
      ]);
      if (source !== staged.checksum)
        out.push(`${qualify(t.table.schema, t.table.name)}: content differs (checksums do not match)`);
    }
    return out;
  });
}
