import type { Extension, QualifiedName, Table } from "../../introspect/model.js";
import type { CopyFormat } from "../../sql/copy-statements.js";
import type { TableSelection } from "../select.js";
import type { Refusal } from "../version-rules.js";
import type { ImplementationFacts } from "./base-type-refusals.js";
import type { DestinationCapabilities } from "./destination-refusals.js";
import type { RangeFacts } from "./range-types.js";
import type { ForeignServerFacts } from "./server-refusals.js";

export type { CopyFormat } from "../../sql/copy-statements.js";

/** One DDL statement and the object it creates, for error messages and the plan output. */
export interface Statement {
  readonly object: string;
  readonly sql: string;
  /** What a load statement does, for the task graph's cost estimates and build settings. */
  readonly build?: BuildKind;
}

/**
 * The work of a statement the load runs: an index build (by access method), a key attached to its
 * index (catalog only), a CHECK (reads the table), a key or exclusion constraint that builds its
 * own index.
 */
export type BuildKind =
  | {
      readonly kind: "index";
      readonly method: string;
      /** The key columns when every key is a plain column, with their operator classes ("" for the default). */
      readonly columns?: readonly string[];
      readonly opclasses?: readonly string[];
    }
  | { readonly kind: "attach" }
  | { readonly kind: "check" }
  | { readonly kind: "key"; readonly method: string };

export interface TablePlan {
  readonly table: Table;
  readonly staging: QualifiedName;
  /** Columns that COPY carries, in order; generated columns are computed by the destination. */
  readonly columns: readonly string[];
  readonly format: CopyFormat;
  /** False for structure-only tables and partitioned tables (their rows live in the partitions). */
  readonly copyData: boolean;
  /** The column of a primary key of one integer column: a big table is read in ranges of it. */
  readonly splitKey?: string;
  /**
   * The unique indexes of its primary key and unique constraints (src/ddl/plan/key-index.ts), built
   * after the load beside its other indexes; `keys` then turns each into its constraint.
   */
  readonly keyIndexes: readonly Statement[];
  /**
   * Primary key, unique, check and exclusion constraints, added after every index of the table is
   * built (a key whose index is in `keyIndexes` as ADD CONSTRAINT ... USING INDEX).
   */
  readonly keys: readonly Statement[];
  /**
   * The same keys with each split one as a single ADD CONSTRAINT, which builds its own index: for a
   * table whose builds run one after another in one task anyway (keyIndexes and keys then cost one
   * statement more a key, 1.9 ms against 1.3 ms at 20 rows).
   */
  readonly keysInOne: readonly Statement[];
  /** Indexes (not those of the keys), built after the load. */
  readonly indexes: readonly Statement[];
  /**
   * False when a partition or inheritance child (at any depth) is a foreign table: ANALYZE of this
   * table would sample the remote rows through the wrapper, and fail when the server is out of reach.
   */
  readonly analyze: boolean;
  /**
   * Analyzed only after the post-data step: partitions or inheritance children load into it, or
   * statistics objects (created in post-data) are defined on it and ANALYZE must build them.
   */
  readonly analyzeLast: boolean;
  /**
   * Other tables (OIDs) whose rows must be loaded first, because a function that this table's COPY
   * (`load`: generated columns, domain checks) or its keys and indexes (`builds`) evaluate reads
   * them (src/ddl/plan/function-bodies.ts).
   */
  readonly waitsFor?: { readonly load: readonly number[]; readonly builds: readonly number[] };
  /**
   * Columns holding reg* values (true for regoper and regoperator): the COPY points the names in
   * each value at the staged objects (src/copy/reg-values.ts), so that after the cut-over they name
   * the new live objects, never the previous copy's in the snapshot.
   */
  readonly nameValues?: {
    readonly columns: ReadonlyMap<string, boolean>;
    readonly stage: (text: string, operator: boolean) => string;
  };
}

/** A foreign key between two plain tables: added during the load, as soon as both tables are built. */
export interface ForeignKeyPlan extends Statement {
  readonly tableOid: number;
  readonly referencedTableOid: number;
}

/**
 * Part of pre-data, committed before the next block starts. The items (each the statements of one
 * object, in order) of a concurrent block depend on none of each other's: they may be created on
 * several connections at the same time.
 */
export interface StagingBlock {
  readonly concurrent: boolean;
  readonly items: readonly (readonly Statement[])[];
}

export interface SchemaPlan {
  readonly name: string;
  readonly staging: string;
}

export interface SyncPlan {
  readonly targetMajor: number;
  readonly schemas: readonly SchemaPlan[];
  /** Extensions the destination must have, in the same schema, before staging. */
  readonly extensions: readonly Extension[];
  /**
   * Staging schemas, then every object in dependency order (a topological sort over pg_depend,
   * src/ddl/plan/sort.ts), tables without keys: one transaction before the load.
   */
  readonly preData: readonly Statement[];
  /** preData cut into blocks that run in order, some of them on several connections at once (staging-blocks.ts). */
  readonly stagingBlocks: readonly StagingBlock[];
  readonly tables: readonly TablePlan[];
  /**
   * Foreign keys between plain (not partitioned) tables of the plan, added during the load on
   * whichever worker is free once both tables are loaded and keyed. The others (on or to a
   * partitioned table, whose keys come in post-data) stay in postData.
   */
  readonly foreignKeys: readonly ForeignKeyPlan[];
  /**
   * After every table is loaded, in dependency order: keys and indexes of partitioned tables, views
   * replacing their placeholders, materialized view refreshes, foreign keys (so cycles need no
   * ordering), triggers, statistics objects, rules and row-level security (so they never act on the
   * rows being loaded), comments, and sequence values.
   */
  readonly postData: readonly Statement[];
  /**
   * Run inside the cut-over transaction, on the live schemas (comments on schemas) and the
   * destination database (its settings, ALTER DATABASE ... SET).
   */
  readonly cutover: readonly Statement[];
  readonly refusals: readonly Refusal[];
  /** What the plan leaves out on purpose, for the run to report (e.g. a setting the destination lacks). */
  readonly warnings: readonly string[];
}

export interface PlanOptions {
  readonly targetMajor: number;
  /** Prefix of the staging schema names; unique per run. */
  readonly stagingPrefix: string;
  /** Tables ("schema.table") whose structure is copied without data. */
  readonly structureOnly?: readonly string[];
  /** Roles that exist on the destination; policies naming other roles are refused. */
  readonly destinationRoles?: ReadonlySet<string>;
  /** Built-in function signatures the destination lacks; objects calling them are refused. */
  readonly missingFunctions?: ReadonlySet<string>;
  /** What the destination's server has (extensions, languages, compression); absent, not checked. */
  readonly destination?: DestinationCapabilities;
  /** Which tables to carry; all of them by default. */
  readonly selection?: TableSelection;
  /**
   * Parameter names the destination knows (`SELECT name FROM pg_settings`): a database setting of
   * the source that the destination lacks is skipped with a warning. When absent, the cut-over
   * statement skips such a setting itself, and only the server log says so.
   */
  readonly destinationSettings?: ReadonlySet<string>;
  /**
   * Copy every database setting of the source, not only those that cannot run code or change name
   * resolution (src/sql/settings-policy.ts); the others are withheld and listed in the warnings.
   */
  readonly copyDatabaseSettings?: boolean;
  /**
   * What the destination has of the code behind the source's base types (its role a superuser,
   * the built-ins and C libraries they name); a base type it lacks is refused with every table
   * that uses it. When absent, base types are planned as they are.
   */
  readonly destinationImplementations?: ImplementationFacts;
  /** The destination's foreign servers and wrappers: a server whose wrapper is missing is refused. */
  readonly destinationForeignServers?: ForeignServerFacts;
  /**
   * Whether the destination role is a superuser, and its live range types: for a role that is no
   * superuser an identical live range type stays in place, and any other is refused.
   */
  readonly destinationRanges?: RangeFacts;
}
