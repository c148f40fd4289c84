/**
 * The typed catalog model: what introspection produces and what planning consumes. Every object is
 * readonly and carries the names exactly as the catalog has them (unquoted).
 */

export interface QualifiedName {
  readonly schema: string;
  readonly name: string;
}

export interface ServerInfo {
  /** e.g. 170010 */
  readonly versionNum: number;
  readonly major: number;
  readonly version: string;
  readonly database: string;
  readonly user: string;
  readonly isSuperuser: boolean;
  readonly inRecovery: boolean;
  /** Identifies the server and database, to refuse writing into the source. */
  readonly identity: string;
}

export interface SchemaObject {
  readonly oid: number;
  readonly name: string;
}

export interface EnumType extends QualifiedName {
  readonly oid: number;
  readonly labels: readonly string[];
}

export type IdentityKind = "always" | "by default";
export type GeneratedKind = "stored" | "virtual";

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
  readonly notNull: boolean;
  /** Default expression text (pg_get_expr), absent for identity and generated columns. */
  readonly defaultExpr?: string;
  readonly collation?: QualifiedName;
  readonly identity?: {
    readonly kind: IdentityKind;
    readonly sequence: QualifiedName;
    readonly options: SequenceOptions;
  };
  readonly generated?: { readonly kind: GeneratedKind; readonly expr: string };
}

export type Persistence = "permanent" | "unlogged";

export interface Table extends QualifiedName {
  readonly oid: number;
  readonly persistence: Persistence;
  readonly columns: readonly Column[];
  readonly options: readonly string[];
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
}

export interface Index {
  readonly oid: number;
  readonly table: QualifiedName;
  readonly tableOid: number;
  readonly name: string;
  /** pg_get_indexdef() output: a complete CREATE INDEX statement. */
  readonly definition: string;
}

export interface Sequence extends QualifiedName {
  readonly oid: number;
  readonly options: SequenceOptions;
  /** The value to carry over: last_value with is_called, or none when nextval was never called. */
  readonly lastValue: string | null;
  readonly ownedBy?: { readonly table: QualifiedName; readonly column: string };
  /** Identity sequences are created by their column, not by a CREATE SEQUENCE. */
  readonly isIdentity: boolean;
}

/** An object found in the synced schemas that this engine does not create (reported, never dropped silently). */
export interface NotCarried {
  readonly kind: string;
  readonly identity: string;
  /** True when rows would be lost: such objects make a run refuse instead of warn. */
  readonly holdsRows: boolean;
  readonly reason: string;
}

export interface CatalogModel {
  readonly server: ServerInfo;
  readonly schemas: readonly SchemaObject[];
  readonly enums: readonly EnumType[];
  readonly tables: readonly Table[];
  readonly constraints: readonly Constraint[];
  readonly indexes: readonly Index[];
  readonly sequences: readonly Sequence[];
  readonly notCarried: readonly NotCarried[];
}
