/** Tables, their columns, keys, indexes and sequences: as introspection reads them, readonly. */

export interface QualifiedName {
  readonly schema: string;
  readonly name: string;
}

export type IdentityKind = "always" | "by default";
export type GeneratedKind = "stored" | "virtual";
/** attstorage: p plain, e external, x extended, m main. */
export type StorageKind = "plain" | "external" | "extended" | "main";
export type CompressionMethod = "pglz" | "lz4";

export interface SequenceOptions {
  readonly dataType: "smallint" | "integer" | "bigint";
  readonly start: string;
  readonly increment: string;
  readonly min: string;
  readonly max: string;
  readonly cache: string;
  readonly cycle: boolean;
}

export interface Column {
  readonly name: string;
  readonly position: number;
  /** format_type() output, schema-qualified for user types (introspection runs with search_path=pg_catalog). */
  readonly type: string;
  readonly typeOid: number;
  /** True when COPY's binary format is the same on every server for this column (core types only). */
  readonly binarySafe: boolean;
  /**
   * The column holds reg* values that name objects (regclass, regtype, regproc, ...; "operator" for
   * regoper and regoperator), directly, in arrays or through domains; "nested" inside a composite or
   * range type. Absent otherwise (regnamespace and regrole name schemas and roles, never staged).
   */
  readonly regNames?: "object" | "operator" | "nested";
  /** NOT NULL holds for the rows (false for one added NOT VALID, see notNullConstraint). */
  readonly notNull: boolean;
  /**
   * 18 and later: the column's NOT NULL constraint (pg_constraint, contype 'n'), with its name;
   * `valid` false for one added NOT VALID, which the rows need not satisfy (notNull is then false,
   * and it is added after the load).
   */
  readonly notNullConstraint?: {
    readonly name: string;
    readonly valid: boolean;
    readonly noInherit: boolean;
  };
  /** Default expression text (pg_get_expr), absent for identity and generated columns. */
  readonly defaultExpr?: string;
  readonly collation?: QualifiedName;
  readonly identity?: {
    readonly kind: IdentityKind;
    readonly sequence: QualifiedName;
    readonly options: SequenceOptions;
  };
  readonly generated?: { readonly kind: GeneratedKind; readonly expr: string };
  /** ALTER COLUMN ... SET STORAGE: present when it is not the type's default (which it names). */
  readonly storage?: { readonly kind: StorageKind; readonly typeDefault: StorageKind };
  /** SET COMPRESSION: absent for the server's default. */
  readonly compression?: CompressionMethod;
  /** SET STATISTICS: absent for the default. */
  readonly statisticsTarget?: number;
  /** Attribute options (n_distinct, ...), "name=value" as the catalog keeps them. */
  readonly options?: readonly string[];
  /** numeric with a negative scale somewhere in the type (15 and later), e.g. numeric(5,-2). */
  readonly negativeScale?: boolean;
}

export type Persistence = "permanent" | "unlogged";

export type ReplicaIdentity =
  | { readonly kind: "nothing" }
  | { readonly kind: "full" }
  | { readonly kind: "index"; readonly index: string };

export interface Table extends QualifiedName {
  readonly oid: number;
  readonly persistence: Persistence;
  /** Only the columns defined locally (inherited ones come from the parents). */
  readonly columns: readonly Column[];
  /** Every column in order, inherited ones included: what COPY carries. */
  readonly allColumns: readonly Column[];
  readonly options: readonly string[];
  /** Storage parameters of the table's TOAST table (WITH (toast.name = value)), "name=value". */
  readonly toastOptions?: readonly string[];
  /** Table access method other than heap (USING ...). */
  readonly accessMethod?: string;
  /** The composite type of a typed table (CREATE TABLE ... OF type), format_type() output. */
  readonly ofType?: string;
  /** PARTITION BY clause of a partitioned table (pg_get_partkeydef). */
  readonly partitionKey?: string;
  /** Parent and FOR VALUES clause of a partition. */
  readonly partitionOf?: { readonly parent: QualifiedName; readonly bound: string };
  /** Parents of a table created with INHERITS, in order. */
  readonly inherits: readonly QualifiedName[];
  readonly rowSecurity: boolean;
  readonly forceRowSecurity: boolean;
  /** REPLICA IDENTITY other than the default (the primary key). */
  readonly replicaIdentity?: ReplicaIdentity;
  /** The index CLUSTER ON marks (ALTER TABLE ... CLUSTER ON). */
  readonly clusterOn?: string;
  /** On-disk size in bytes, and the planner's row estimate, for ordering and progress. */
  readonly bytes: number;
  readonly estimatedRows: number;
}

export type ConstraintKind = "primary key" | "unique" | "check" | "foreign key" | "exclusion";

export interface Constraint {
  readonly oid: number;
  readonly table: QualifiedName;
  readonly tableOid: number;
  readonly name: string;
  readonly kind: ConstraintKind;
  /** pg_get_constraintdef() output. */
  readonly definition: string;
  readonly referencedTableOid?: number;
  /** A foreign key's referenced table, by name (it may lie outside the synced schemas). */
  readonly referencedTable?: QualifiedName;
  /** A foreign key to a table an extension created (the extension creates it on the destination). */
  readonly referencesExtensionTable?: boolean;
  /** Added NOT VALID and never validated. */
  readonly notValid?: boolean;
  /** The index that backs a primary key, unique or exclusion constraint (in the table's schema). */
  readonly index?: string;
  /** Its storage parameters ("name=value"), which pg_get_constraintdef() does not print. */
  readonly indexOptions?: readonly string[];
  /** UNIQUE NULLS NOT DISTINCT (pg_index.indnullsnotdistinct, 15 and later). */
  readonly nullsNotDistinct?: boolean;
  /** A partition's key whose index is attached to a plain index of the partitioned table. */
  readonly indexAttachedTo?: QualifiedName;
  /**
   * A foreign key's constraints that the server makes for partitions (conparentid, at any depth):
   * on each partition of its table and for each partition of the referenced table, with the names
   * the source gave them.
   */
  readonly inheritedNames?: readonly {
    readonly table: QualifiedName;
    readonly referenced: QualifiedName;
    readonly name: string;
  }[];
}

export interface Index {
  readonly oid: number;
  readonly table: QualifiedName;
  readonly tableOid: number;
  readonly name: string;
  /** pg_get_indexdef() output: a complete CREATE INDEX statement (ON ONLY for a partitioned table). */
  readonly definition: string;
  /** The partitioned index this partition's index is attached to. */
  readonly attachedTo?: QualifiedName;
  readonly nullsNotDistinct?: boolean;
}

export interface Sequence extends QualifiedName {
  readonly oid: number;
  readonly options: SequenceOptions;
  /** UNLOGGED SEQUENCE exists from 15 on. */
  readonly persistence: Persistence;
  /** The value to carry over: last_value with is_called, or none when nextval was never called. */
  readonly lastValue: string | null;
  readonly ownedBy?: { readonly table: QualifiedName; readonly column: string };
  /** Identity sequences are created by their column, not by a CREATE SEQUENCE. */
  readonly isIdentity: boolean;
}

export type TriggerState = "origin" | "disabled" | "replica" | "always";

export interface Trigger {
  readonly oid: number;
  readonly table: QualifiedName;
  readonly tableOid: number;
  readonly name: string;
  readonly definition: string;
  readonly state: TriggerState;
  /**
   * The clones on partitions (at any depth, parents first) whose enabled state differs from the
   * state of the trigger they were cloned from.
   */
  readonly partitionStates?: readonly { readonly table: QualifiedName; readonly state: TriggerState }[];
}

export type PolicyCommand = "select" | "insert" | "update" | "delete" | "all";

export interface Policy {
  readonly oid: number;
  readonly table: QualifiedName;
  readonly tableOid: number;
  readonly name: string;
  readonly permissive: boolean;
  readonly command: PolicyCommand;
  /** Quoted role names, or `public`. */
  readonly roles: readonly string[];
  /** Role names (unquoted) that must exist on the destination. */
  readonly roleNames: readonly string[];
  readonly using?: string;
  readonly withCheck?: string;
}

export interface StatisticsObject extends QualifiedName {
  readonly oid: number;
  readonly table: QualifiedName;
  readonly tableOid: number;
  /** pg_get_statisticsobjdef(): a complete CREATE STATISTICS statement. */
  readonly definition: string;
  /** ALTER STATISTICS ... SET STATISTICS; absent for the default. */
  readonly target?: number;
}

export interface Rule {
  readonly oid: number;
  readonly table: QualifiedName;
  readonly tableOid: number;
  readonly name: string;
  /** pg_get_ruledef() output without the final semicolon: a complete CREATE RULE statement. */
  readonly definition: string;
  readonly state: TriggerState;
}

export interface View extends QualifiedName {
  readonly oid: number;
  readonly materialized: boolean;
  readonly definition: string;
  readonly columns: readonly string[];
  /**
   * Each column's type (format_type) and its collation when it is not the type's own, in the order
   * of `columns`: what a placeholder view needs to stand in for the view until it can be created.
   * Introspection always reads them.
   */
  readonly columnTypes?: readonly { readonly type: string; readonly collation?: string }[];
  readonly options: readonly string[];
  readonly populated: boolean;
  /** A materialized view's access method other than heap. */
  readonly accessMethod?: string;
}
