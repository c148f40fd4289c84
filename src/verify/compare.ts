import { type Connection, connectBoth } from "../db/connect.js";
import { baseSettings, begin } from "../db/session.js";
import { errorMessage, PgsyncError } from "../errors.js";
import { introspect } from "../introspect/index.js";
import type { CatalogModel } from "../introspect/model.js";
import { maskConnectionString, redactDeep } from "../util/redact.js";
import { COMPARED_EXTRAS, mergeObjects, NOT_CARRIED_EXTRAS, readExtras } from "./catalog-extras.js";
import { checksMade } from "./checks.js";
import { DIGEST_VERSION, type DigestVersion } from "./digest.js";
import { compareLargeObjects, digestLargeObjects } from "./large-objects.js";
import { type SourceShaping, type SourceShapingOptions, sourceShaping } from "./masked-source.js";
import { compareObjects, formatDifference, type PropertyDifference } from "./properties.js";
import { describeObjects, notNullConstraintsCompare } from "./schema-diff.js";
import { compareTables, type TableComparison } from "./tables.js";

export type { PropertyDifference } from "./properties.js";
export type { TableComparison } from "./tables.js";

export type VerifyMethod = "counts" | "checksum";

export interface VerifyOptions {
  readonly sourceUrl: string;
  readonly destinationUrl: string;
  readonly method?: VerifyMethod;
  readonly connectSeconds?: number;
  readonly schemas?: readonly string[];
  readonly excludeSchemas?: readonly string[];
  /** Also compare owners and grants (for copies made with --with-privileges). */
  readonly withPrivileges?: boolean;
  /** Also compare the database settings a run copies only with copyDatabaseSettings. */
  readonly allDatabaseSettings?: boolean;
  /**
   * A masked or subsetted profile's rules: the source's side is digested over what a run of the
   * profile copies (its masked values, its subset's rows), so that a masked copy compares equal.
   */
  readonly shaping?: SourceShapingOptions;
}

export interface VerifyReport {
  /** "identical", "different", or "error" when the comparison could not be made. */
  readonly outcome: "identical" | "different" | "error";
  readonly method: VerifyMethod;
  /** The content digest's version (src/verify/digest.ts); digests compare only within one version. */
  readonly digestVersion: DigestVersion;
  readonly source: string;
  readonly destination: string;
  /** What was compared, in words; nothing outside this list was. */
  readonly checks: readonly string[];
  /** What was not compared, and why (or the flag that compares it). */
  readonly notCompared: readonly string[];
  readonly tables: readonly TableComparison[];
  /**
   * The large objects, compared when the whole database is (they belong to no schema): by OID and
   * size, and with "checksum" by content digest computed inside each database.
   */
  readonly largeObjects?: {
    readonly source: number;
    readonly destination: number;
    readonly differences: readonly string[];
  };
  /** Every catalog difference with both full values (JSON text), as `differences` prints them. */
  readonly catalog: readonly PropertyDifference[];
  /** Every difference, one line each: catalog, rows, large objects. Any makes the outcome "different". */
  readonly differences: readonly string[];
  /**
   * Differences in kinds a run does not carry (publications, event triggers, ...), one line each:
   * listed, never counted as differences of the copy.
   */
  readonly notCarried: readonly string[];
  /** The masked columns the source's digests were computed over, with their rules. */
  readonly masked?: SourceShaping["masked"];
  readonly error?: string;
}

/**
 * Compares two databases: every catalog object and property the tool's introspection reads, plus
 * those of catalog-extras.ts; per table, partition, child and materialized view the row count and
 * (with "checksum") the content; without a schema selection, the large objects too. Each side is
 * read in one REPEATABLE READ transaction.
 */
export async function verifyDatabases(options: VerifyOptions): Promise<VerifyReport> {
  const method = options.method ?? "checksum";
  const base = {
    method,
    digestVersion: DIGEST_VERSION,
    source: maskConnectionString(options.sourceUrl),
    destination: maskConnectionString(options.destinationUrl),
  };
  let pair: Awaited<ReturnType<typeof connectBoth>> | undefined;
  try {
    pair = await connectBoth(options.sourceUrl, options.destinationUrl, options.connectSeconds ?? 30);
    const { source: src, destination: dst } = pair;
    // TimeZone pinned: deparsed catalog text (a timestamptz partition bound, default or check)
    // prints in the session's time zone, and the two sides' sessions may differ.
    for (const c of [src, dst]) {
      await begin(
        c.client,
        { ...baseSettings(0), row_security: "off", TimeZone: "UTC" },
        "ISOLATION LEVEL REPEATABLE READ READ ONLY",
      );
    }
    const whole = options.schemas === undefined;
    const filter = {
      ...(options.schemas ? { schemas: options.schemas } : {}),
      ...(options.excludeSchemas ? { excludeSchemas: options.excludeSchemas } : {}),
      ...(options.withPrivileges ? { withPrivileges: true } : {}),
    };
    const [srcModel, dstModel] = await Promise.all([
      introspect(src.client, filter),
      introspect(dst.client, filter),
    ]);
    const catalog = await compareCatalogs(src, dst, srcModel, dstModel, options, whole);
    const shaping = options.shaping ? await sourceShaping(src.client, srcModel, options.shaping) : undefined;
    const tables = await compareTables(srcModel, dstModel, src, dst, method === "checksum", shaping?.rows);
    const largeObjects = whole
      ? await (async () => {
          const [s, d] = await Promise.all([
            digestLargeObjects(src.client, method === "checksum", "source"),
            digestLargeObjects(dst.client, method === "checksum", "destination"),
          ]);
          return { source: s.length, destination: d.length, differences: compareLargeObjects(s, d) };
        })()
      : undefined;
    const differences = [
      ...catalog.compared.map(formatDifference),
      ...tables.flatMap((t) => t.differences.map((d) => `${t.table}: ${d}`)),
      ...(largeObjects?.differences ?? []),
    ];
    const { checks, notCompared } = checksMade({
      method,
      tables: tables.length,
      largeObjects: largeObjects?.source,
      privileges: options.withPrivileges === true,
      allDatabaseSettings: options.allDatabaseSettings === true,
      wholeDatabase: whole,
    });
    return redactDeep({
      ...base,
      outcome: differences.length === 0 ? "identical" : "different",
      checks,
      notCompared,
      tables,
      ...(largeObjects ? { largeObjects } : {}),
      catalog: catalog.compared,
      differences,
      notCarried: catalog.notCarried.map(formatDifference),
      ...(shaping?.masked.length ? { masked: shaping.masked } : {}),
    });
  } catch (error) {
    const message = error instanceof PgsyncError ? error.describe() : errorMessage(error);
    return redactDeep({
      ...base,
      outcome: "error",
      checks: [],
      notCompared: [],
      tables: [],
      catalog: [],
      differences: [],
      notCarried: [],
      error: message,
    });
  } finally {
    await pair?.close();
  }
}

/** The model's objects with verify's own additions, compared; and the kinds a run does not carry. */
async function compareCatalogs(
  src: Connection,
  dst: Connection,
  srcModel: CatalogModel,
  dstModel: CatalogModel,
  options: VerifyOptions,
  whole: boolean,
): Promise<{ compared: PropertyDifference[]; notCarried: PropertyDifference[] }> {
  const describe = {
    ...(options.withPrivileges ? { privileges: true } : {}),
    ...(options.allDatabaseSettings ? { allDatabaseSettings: true } : {}),
    ...(notNullConstraintsCompare(srcModel, dstModel) ? {} : { withoutNotNullConstraints: true }),
  };
  const side = async (c: Connection, model: CatalogModel) => {
    const oids = model.schemas.map((s) => s.oid);
    const extras = await readExtras(c.client, COMPARED_EXTRAS, oids, whole);
    const notCarried = await readExtras(c.client, NOT_CARRIED_EXTRAS, oids, whole);
    return { objects: mergeObjects(describeObjects(model, describe), extras), notCarried };
  };
  const [a, b] = await Promise.all([side(src, srcModel), side(dst, dstModel)]);
  return {
    compared: compareObjects(a.objects, b.objects),
    notCarried: compareObjects(a.notCarried, b.notCarried),
  };
}
