import type pg from "pg";
import { largeObjectStage, type StagedLargeObjects, stageLargeObjects } from "../copy/large-objects.js";
import { execute } from "../db/session.js";
import { PgsyncError } from "../errors.js";
import type { CatalogModel, LargeObject } from "../introspect/model.js";
import {
  type DeniedLargeObject,
  unreadableLargeObjects,
  unremovableLargeObjects,
} from "../introspect/queries/large-objects.js";
import {
  createLargeObjects,
  destinationRoles,
  executeBatched,
  largeObjectPrivilegeStatements,
  saveAndUnlinkLargeObjects,
} from "../restore/large-objects.js";
import { quoteIdent, quoteLiteral } from "../sql/quote.js";
import { compareLargeObjects, digestStagedLargeObjects } from "../verify/large-objects.js";

/** What a run reports about the large objects it carried. */
export interface LargeObjectReport {
  readonly carried: number;
  readonly bytes: number;
  /** The destination's previous large objects, kept in the run's snapshot. */
  readonly replaced?: number;
}

/**
 * A run's large objects, from its source snapshot to the cut-over: checked, staged (copy-data),
 * verified and put live inside the cut-over transaction. Only a run of the whole database carries
 * them (they belong to no schema); otherwise `forRun` returns undefined and the destination's large
 * objects are left alone.
 */
export class LargeObjectSync {
  private staged?: StagedLargeObjects;
  private replaced?: number;

  private constructor(
    private readonly objects: readonly LargeObject[],
    readonly stage: string,
    private readonly withPrivileges: boolean,
  ) {}

  static forRun(
    model: CatalogModel,
    stagingPrefix: string,
    withPrivileges: boolean,
  ): LargeObjectSync | undefined {
    if (!model.largeObjects) return undefined;
    return new LargeObjectSync(model.largeObjects, largeObjectStage(stagingPrefix), withPrivileges);
  }

  /**
   * Every large object the roles cannot handle, before anything is written: the source role must
   * read each one; the destination role must read (to keep them in the snapshot) and own (to
   * unlink) each of the destination's.
   */
  async problems(source: pg.Client, destination: pg.Client): Promise<string[]> {
    const grant = (o: DeniedLargeObject) => `GRANT SELECT ON LARGE OBJECT ${o.oid} TO the role`;
    return [
      ...list(await unreadableLargeObjects(source), (o) => {
        return `source large object ${o.oid}: the SELECT privilege on it is missing (owner "${o.owner}"; ${grant(o)})`;
      }),
      ...list(
        await unreadableLargeObjects(destination),
        (o) =>
          `destination large object ${o.oid}: the SELECT privilege on it is missing, so it cannot be kept in the snapshot (owner "${o.owner}"; ${grant(o)})`,
      ),
      ...list(
        await unremovableLargeObjects(destination),
        (o) =>
          `destination large object ${o.oid}: only its owner ("${o.owner}") may replace it; run as that role or a member of it`,
      ),
    ];
  }

  /** The source's large objects, with their owners and grants as the source has them. */
  get sourceObjects(): readonly LargeObject[] {
    return this.objects;
  }

  /** A guess for scheduling the copy among the tables' (sizes are read only while copying). */
  get estimatedBytes(): number {
    return this.objects.length * 65536;
  }

  /** Copies the large objects into the run's stage (with the snapshot's source connection). */
  async copy(source: pg.Client, destination: pg.Client, stallSeconds: number): Promise<void> {
    this.staged = await stageLargeObjects(source, destination, this.stage, { stallSeconds });
  }

  /** Stages the large objects some other way: from an archive's files (src/archive/large-objects.ts). */
  async stageWith(load: (stage: string) => Promise<StagedLargeObjects>): Promise<void> {
    this.staged = await load(this.stage);
  }

  /** Compares the staged large objects with the source's: their set, sizes and content digests. */
  async verify(destination: pg.Client): Promise<string[]> {
    const staged = await digestStagedLargeObjects(destination, this.stage);
    const out: string[] = [];
    if (staged.source.length !== this.objects.length)
      out.push(
        `large objects: the source snapshot has ${this.objects.length}, ${staged.source.length} were copied`,
      );
    return [...out, ...compareLargeObjects(staged.source, staged.destination)];
  }

  /**
   * Inside the cut-over transaction: keeps the destination's large objects in the snapshot, puts
   * the staged ones live (with owners and grants when the run includes privileges) and drops the
   * stage. Returns warnings (owners and grantees that do not exist on the destination).
   */
  async cutover(destination: pg.Client, snapshot: { snapshotId: string; runId: string }): Promise<string[]> {
    const saved = await saveAndUnlinkLargeObjects(destination, { ...snapshot, reason: "run" });
    this.replaced = saved.objects;
    const schema = quoteIdent(this.stage);
    const created = await createLargeObjects(destination, {
      objects: `SELECT loid FROM ${schema}.objects`,
      chunks: `SELECT loid, off, data FROM ${schema}.chunks`,
      params: [],
    });
    if (created !== this.objects.length) {
      throw new PgsyncError(
        "cutover",
        `the cut-over created ${created} large objects, but the source has ${this.objects.length}; nothing was changed`,
        { side: "destination", object: "large objects" },
      );
    }
    // A comment is no content: set again on the objects just created.
    await executeBatched(
      destination,
      this.objects.flatMap((o) =>
        o.comment === undefined
          ? []
          : [
              {
                object: `large object ${o.oid}`,
                sql: `COMMENT ON LARGE OBJECT ${o.oid} IS ${quoteLiteral(o.comment)}`,
              },
            ],
      ),
    );
    let warnings: string[] = [];
    if (this.withPrivileges) {
      const { roles, me } = await destinationRoles(destination);
      const privileges = largeObjectPrivilegeStatements(this.objects, roles, me);
      await executeBatched(destination, privileges.statements);
      warnings = privileges.skipped;
    }
    await execute(destination, `DROP SCHEMA ${schema} CASCADE`, `schema ${schema}`, "cutover");
    return warnings;
  }

  /** The report's summary; undefined until the large objects were staged. */
  get report(): LargeObjectReport | undefined {
    if (!this.staged) return undefined;
    return {
      carried: this.staged.objects,
      bytes: this.staged.bytes,
      ...(this.replaced === undefined ? {} : { replaced: this.replaced }),
    };
  }
}

/** At most ten lines per problem kind, and how many more there are. */
function list(denied: readonly DeniedLargeObject[], line: (o: DeniedLargeObject) => string): string[] {
  const lines = denied.slice(0, 10).map(line);
  if (denied.length > lines.length)
    lines.push(`... and ${denied.length - lines.length} more large objects with the same problem`);
  return lines;
}
