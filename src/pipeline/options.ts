import type { ArchiveReport, ArchiveRequest } from "../archive/request.js";
import type { MaskingConfig, SubsetConfig, TimeoutsConfig } from "../config/types.js";
import type { NotCarried } from "../introspect/model.js";
import type { Retention } from "../restore/retention.js";
import type { SnapshotStorage } from "../restore/snapshot-storage.js";
import type { LargeObjectReport } from "./large-objects.js";
import type { TableReport } from "./load-tasks.js";
import type { FaultPoint, StepReport } from "./step-runner.js";
import type { TaskKind } from "./task-graph.js";

export type { TableReport } from "./load-tasks.js";

/** What a run is asked to do (the library's input; the CLI and the service build it from a profile). */
export interface RunOptions {
  readonly sourceUrl: string;
  readonly destinationUrl: string;
  readonly profile?: string;
  readonly parallelism?: number;
  /**
   * Bytes of table data (heap and TOAST) above which a table is copied in ranges, one per worker
   * (src/pipeline/split-table.ts); 0 never splits. Default 256 MB.
   */
  readonly splitTablesLargerThan?: number;
  /**
   * Bytes of table data up to which a plain table is loaded, indexed, keyed and analyzed in one task
   * and one destination transaction (src/pipeline/load-tasks.ts); 0 gives every table's builds
   * tasks of their own. Default 1 MB.
   */
  readonly oneTaskTablesUpTo?: number;
  /**
   * "auto" (the default): a GIN build on PostgreSQL 18, or a BRIN build on 17 and later, gets
   * parallel workers when it starts with pool workers idle or too little work left beside it;
   * "off": every build is single-process.
   */
  readonly parallelBuilds?: "auto" | "off";
  readonly timeouts?: Partial<TimeoutsConfig>;
  readonly retention?: Retention;
  /**
   * How many runs a day the profile's schedule makes: the snapshot storage warning expects
   * retention.days times this many snapshots (src/restore/meta.ts; 2 when absent).
   */
  readonly runsPerDay?: number;
  readonly schemas?: readonly string[];
  readonly excludeSchemas?: readonly string[];
  readonly structureOnly?: readonly string[];
  /** Only these tables ("schema.table"), with `schemas`; only their schemas are swapped. */
  readonly includeTables?: readonly string[];
  readonly excludeTables?: readonly string[];
  readonly lockWait?: "wait" | "fail";
  /** Adopt a non-empty destination that pgsync-ts did not create (recorded; later runs need no flag). */
  readonly force?: boolean;
  /** Write to a destination marked as production (`ALTER DATABASE ... SET pgsync.role = 'production'`). */
  readonly allowProduction?: boolean;
  /** Copy owners and grants (to roles that exist on the destination; the others are reported). */
  readonly includePrivileges?: boolean;
  /**
   * Copy every database setting of the source (ALTER DATABASE ... SET), also those that can run code
   * or change name resolution; by default only src/sql/settings-policy.ts's safe ones are copied.
   */
  readonly copyDatabaseSettings?: boolean;
  /**
   * "checksum": before the cut-over, every copied table's content digest in staging is compared with
   * the source's at the snapshot, and a difference fails the run. Default "counts": row counts only.
   */
  readonly verify?: "counts" | "checksum";
  /**
   * Masking rules computed on the source (docs/masking.md). The key is read when the run plans:
   * `{ "env": "VARIABLE" }` from `env` (default process.env), or a literal `{ "value": "..." }`.
   */
  readonly masking?: MaskingOptions;
  /** Copy only a subset of the rows, closed over foreign keys (docs/masking.md, "Subsets"). */
  readonly subset?: SubsetOptions;
  /** Where an `{ "env": ... }` masking key is read from (default process.env). */
  readonly env?: NodeJS.ProcessEnv;
  readonly onEvent?: (event: RunEvent) => void;
  /** Test hook, called at each fault point; whatever it throws or breaks fails the run there. */
  readonly faultHook?: (point: FaultPoint) => Promise<void> | void;
  readonly signal?: AbortSignal;
  /** Also write an archive of the source, from the same snapshot, after the cut-over (docs/archives.md). */
  readonly archive?: ArchiveRequest;
  /** How often a run waiting for another run's destination lock says so again (default 30 s). */
  readonly lockWaitReportSeconds?: number;
}

export type MaskingOptions = Pick<MaskingConfig, "key" | "rules"> &
  Partial<Pick<MaskingConfig, "strict" | "keep">>;
export type SubsetOptions = Pick<SubsetConfig, "roots"> & Partial<Pick<SubsetConfig, "follow" | "others">>;

/** What a masked run masked: each column and its rule (the summary names them). */
export interface MaskingReport {
  readonly strict: boolean;
  /** The rules' fingerprint recorded on the destination (a hash of the rules and the key's id). */
  readonly fingerprint: string;
  readonly columns: readonly {
    readonly column: string;
    readonly rule: string;
    /** The column it takes the rule from, through a foreign key or its parent table. */
    readonly via?: string;
  }[];
}

/** What a subset kept: each subsetted table's copied rows against the source's. */
export interface SubsetReport {
  readonly follow: "references" | "both";
  readonly others: "whole" | "empty";
  readonly tables: readonly {
    readonly table: string;
    /** closure: the roots and what the closure reached; restricted: the rows whose references are kept. */
    readonly mode: "closure" | "restricted" | "empty";
    readonly kept: number;
    readonly total: number;
  }[];
  /** Tuple ids the tool held for the closure (8 bytes each). */
  readonly heldIds: number;
}

export type RunEvent =
  | { readonly type: "step"; readonly report: StepReport }
  | {
      readonly type: "table";
      readonly table: string;
      readonly rows: number;
      readonly bytes: number;
      readonly seconds: number;
    }
  | { readonly type: "warning"; readonly message: string }
  /** The source snapshot's age, every minute while rows are copied (it holds back VACUUM on the source). */
  | { readonly type: "snapshot-age"; readonly seconds: number }
  /** Another run holds the destination lock: how long this one has waited, and who holds it. */
  | { readonly type: "lock-wait"; readonly seconds: number; readonly holders: string }
  /** A connection attempt failed in a way a retry can fix (a server starting, a full server); it is retried. */
  | {
      readonly type: "connect-retry";
      readonly side: "source" | "destination";
      /** The attempt that failed (1-based). */
      readonly attempt: number;
      readonly elapsedSeconds: number;
      /** timeouts.connectSeconds: when the retries give up. */
      readonly limitSeconds: number;
      readonly reason: string;
    }
  /** The copy-data step starts: the tables it copies with the source's estimates, and its tasks by kind. */
  | {
      readonly type: "copy-start";
      readonly tables: readonly CopyEstimate[];
      readonly tasks: Readonly<Partial<Record<TaskKind, number>>>;
    }
  /** A table's COPY so far: a few events a second per table at most (the "table" event ends it). */
  | {
      readonly type: "table-progress";
      readonly table: string;
      readonly bytes: number;
      readonly seconds: number;
    }
  /** A task of the load started or finished: a table's COPY, its keys, an index, a foreign key, ... */
  | {
      readonly type: "task";
      readonly phase: "started" | "finished";
      readonly kind: TaskKind;
      readonly table?: string;
      readonly object?: string;
      /** When finished: how long it ran, and whether it succeeded. */
      readonly seconds?: number;
      readonly ok?: boolean;
      /** When finished: its estimated cost, in bytes of COPY (src/pipeline/load-costs.ts). */
      readonly estimate?: number;
      /** An index build that ran with parallel workers (max_parallel_maintenance_workers). */
      readonly parallelWorkers?: number;
    };

/** A table the copy-data step copies, with the source's estimates (pg_class.reltuples, pg_table_size). */
export interface CopyEstimate {
  readonly table: string;
  readonly estimatedRows: number;
  readonly estimatedBytes: number;
}

export interface RunReport {
  readonly runId: string;
  readonly profile?: string;
  readonly ok: boolean;
  readonly source: string;
  readonly destination: string;
  readonly sourceVersion?: string;
  readonly destinationVersion?: string;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly seconds: number;
  /** Time the lock step waited for another run's lock (part of `seconds`). */
  readonly lockWaitSeconds?: number;
  readonly steps: readonly StepReport[];
  readonly tables: readonly TableReport[];
  readonly totals: { readonly tables: number; readonly rows: number; readonly bytes: number };
  readonly verification: {
    /** Exactly what was compared: "row counts", plus ", table content checksums", ", large object digests". */
    readonly method: string;
    /** The content digest's version, when checksums were compared. */
    readonly digestVersion?: number;
    readonly ok: boolean;
    readonly mismatches: readonly string[];
  } | null;
  readonly notCarried: readonly NotCarried[];
  readonly masking?: MaskingReport;
  readonly subset?: SubsetReport;
  /** The large objects a run of the whole database carried (src/pipeline/large-objects.ts). */
  readonly largeObjects?: LargeObjectReport;
  readonly snapshot?: {
    readonly id: string;
    readonly schemas: readonly { original: string; snapshot: string }[];
  };
  /**
   * A destination adopted with --force: the objects the source does not have, which the run moved
   * into its snapshot (out of the live schemas), and how long the retention keeps that snapshot.
   */
  readonly adopted?: { readonly destinationOnly: readonly string[]; readonly keptFor: string };
  readonly leftoversCleaned: readonly string[];
  readonly prunedSnapshots: readonly string[];
  /** Space the snapshots take after pruning, against the live size (a warning past what the retention keeps). */
  readonly snapshotStorage?: SnapshotStorage;
  readonly warnings: readonly string[];
  readonly error?: Record<string, unknown>;
  /** The profile's archive; when it failed, `ok` is false and `error` says why, the cut-over standing. */
  readonly archive?: ArchiveReport;
}

export type Verification = NonNullable<RunReport["verification"]>;
export type SnapshotResult = NonNullable<RunReport["snapshot"]>;
