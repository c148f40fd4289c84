/** The PostgreSQL major versions pgsync-ts supports, and the parsing of lists of them. */
import { PgsyncError } from "../errors.js";

export type PgMajor = 14 | 15 | 16 | 17 | 18;
export const PG_MAJORS: readonly PgMajor[] = [14, 15, 16, 17, 18];

export function isPgMajor(value: unknown): value is PgMajor {
  return typeof value === "number" && (PG_MAJORS as readonly number[]).includes(value);
}

/**
 * Parses a comma list of majors such as "14,17" (e.g. PGSYNC_TEST_VERSIONS). Empty or undefined
 * means all supported majors; anything unknown is an error rather than silently skipped.
 */
export function parseMajors(list: string | undefined): PgMajor[] {
  const items = (list ?? "")
    .split(",")
    .map((item) => item.trim())
    .filter((item) => item !== "");
  if (items.length === 0) return [...PG_MAJORS];
  const majors: PgMajor[] = [];
  for (const item of items) {
    const value = /^\d+$/.test(item) ? Number(item) : Number.NaN;
    if (!isPgMajor(value)) {
      throw new PgsyncError(
        "usage",
        `unsupported PostgreSQL major "${item}" (supported: ${PG_MAJORS.join(", ")})`,
      );
    }
    if (!majors.includes(value)) majors.push(value);
  }
  return majors;
}
