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
  /** Only the columns defined locally (inherited ones come from the parents). */
  readonly columns: readonly Column[];
  /** Every column in order, inherited ones included: what COPY carries. */
  readonly allColumns: readonly Column[];
  readonly options: readonly string[];
  /** PARTITION BY clause of a partitioned table (pg_get_partkeydef). */
  readonly partitionKey?: string;
  /** Parent and FOR VALUES clause of a partition. */
  readonly partitionOf?: { readonly parent: QualifiedName; readonly bound: string };
  /** Parents of a table created with INHERITS, in order. */
  readonly inherits: readonly QualifiedName[];
  readonly rowSecurity: boolean;
  readonly forceRowSecurity: boolean;
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

/** One grant on a large object; grantee null is PUBLIC. */
export interface LargeObjectGrant {
  readonly grantee: string | null;
  readonly privilege: string;
  readonly grantable: boolean;
}

/**
 * A large object (database-wide, in no schema). Its OID is kept: user tables store it. `grants`
 * null means the default ACL (the owner may read and write, nobody else).
 */
export interface LargeObject {
  readonly oid: number;
  readonly owner: string;
  readonly grants: readonly LargeObjectGrant[] | null;
}

/** An object found in the synced schemas that this engine does not create (reported, never dropped silently). */
export interface NotCarried {
  readonly kind: string;
  readonly identity: string;
  /** True when rows would be lost: such objects make a run refuse instead of warn. */
  readonly holdsRows: boolean;
  readonly reason: string;
}

export interface Domain extends QualifiedName {
  readonly oid: number;
  readonly baseType: string;
  readonly notNull: boolean;
  readonly defaultExpr?: string;
  readonly collation?: QualifiedName;
  readonly checks: readonly { readonly name: string; readonly definition: string }[];
}

export interface CompositeType extends QualifiedName {
  readonly oid: number;
  readonly attributes: readonly {
    readonly name: string;
    readonly type: string;
    readonly collation?: string;
  }[];
}

export interface RangeType extends QualifiedName {
  readonly oid: number;
  readonly subtype: string;
  readonly subtypeOpclass?: string;
  readonly collation?: string;
  readonly subtypeDiff?: string;
  readonly canonical?: string;
  readonly multirange?: QualifiedName;
}

export type RoutineKind = "function" | "procedure" | "aggregate";

export interface Routine extends QualifiedName {
  readonly oid: number;
  readonly kind: RoutineKind;
  readonly identityArgs: string;
  readonly language: string;
  /** A complete CREATE statement. */
  readonly definition: string;
}

export interface View extends QualifiedName {
  readonly oid: number;
  readonly materialized: boolean;
  readonly definition: string;
  readonly columns: readonly string[];
  readonly options: readonly string[];
  readonly populated: boolean;
}

export type TriggerState = "origin" | "disabled" | "replica" | "always";

export interface Trigger {
  readonly oid: number;
  readonly table: QualifiedName;
  readonly tableOid: number;
  readonly name: string;
  readonly definition: string;
  readonly state: TriggerState;
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

export interface Comment {
  /** COMMENT ON target kind as pg_identify_object names it: "table", "table column", "trigger", ... */
  readonly kind: string;
  /** Qualified identity as pg_identify_object renders it, e.g. `app.users.email` or `trg on app.t`. */
  readonly identity: string;
  readonly text: string;
  /** The commented object, as "<catalog>:<oid>" (a column's comment has its table's key). */
  readonly target: string;
}

/** "a depends on b", keys "<catalog>:<oid>" (e.g. "pg_class:16384"). */
export interface Dependency {
  readonly dependent: string;
  readonly referenced: string;
}

export interface Extension {
  readonly oid: number;
  readonly name: string;
  readonly schema: string;
  readonly version: string;
}

export type CollationProvider = "libc" | "icu" | "builtin";

export interface Collation extends QualifiedName {
  readonly oid: number;
  readonly provider: CollationProvider;
  readonly deterministic: boolean;
  /** libc: LC_COLLATE and LC_CTYPE. */
  readonly lcCollate?: string;
  readonly lcCtype?: string;
  /** icu and builtin: the locale (for ICU a language tag such as `und-u-ks-level2`). */
  readonly locale?: string;
  /** ICU tailoring rules (PostgreSQL 16 and later). */
  readonly icuRules?: string;
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

export interface TextSearchDictionary extends QualifiedName {
  readonly oid: number;
  readonly template: QualifiedName;
  /** The template's options as the catalog keeps them, e.g. `stopwords = 'english', accept = 'false'`. */
  readonly options?: string;
}

export interface TextSearchConfiguration extends QualifiedName {
  readonly oid: number;
  readonly parser: QualifiedName;
  /** Each mapped token type (the parser's alias) and its dictionaries, in the order they are tried. */
  readonly mappings: readonly {
    readonly tokenType: string;
    readonly dictionaries: readonly QualifiedName[];
  }[];
}

export type CastContext = "explicit" | "assignment" | "implicit";
export type CastMethod = "function" | "binary" | "inout";

/** A cast between types, one of which the sync creates. Casts are in no schema. */
export interface Cast {
  readonly oid: number;
  /** format_type() output, schema-qualified for user types. */
  readonly source: string;
  readonly target: string;
  readonly method: CastMethod;
  /** regprocedure text of the cast function, for method "function". */
  readonly function?: string;
  readonly context: CastContext;
  /** True when the source or the target is a range or multirange type. */
  readonly rangeTypes: boolean;
}

export interface Operator extends QualifiedName {
  readonly oid: number;
  /** Absent for a prefix operator. */
  readonly left?: string;
  readonly right: string;
  readonly result: string;
  /** regproc text of the implementing function. */
  readonly function: string;
  readonly commutator?: QualifiedName;
  readonly negator?: QualifiedName;
  readonly restrict?: string;
  readonly join?: string;
  readonly hashes: boolean;
  readonly merges: boolean;
}

export interface OperatorMember {
  readonly strategy: number;
  readonly operator: QualifiedName;
  readonly left: string;
  readonly right: string;
  /** FOR ORDER BY this (btree) family; absent for FOR SEARCH. */
  readonly orderBy?: QualifiedName;
}

export interface SupportFunction {
  readonly number: number;
  readonly left: string;
  readonly right: string;
  /** regprocedure text. */
  readonly function: string;
}

export interface OperatorClass extends QualifiedName {
  readonly oid: number;
  /** Index access method, e.g. btree. */
  readonly method: string;
  readonly type: string;
  readonly isDefault: boolean;
  readonly family: QualifiedName;
  /** STORAGE type, when it differs from the indexed type. */
  readonly storage?: string;
  readonly operators: readonly OperatorMember[];
  readonly functions: readonly SupportFunction[];
}

export interface OperatorFamily extends QualifiedName {
  readonly oid: number;
  readonly method: string;
  /** Members added with ALTER OPERATOR FAMILY ... ADD, outside any class. */
  readonly operators: readonly OperatorMember[];
  readonly functions: readonly SupportFunction[];
}

/** A foreign server that a copied foreign table uses. Servers belong to the database, not a schema. */
export interface ForeignServer {
  readonly oid: number;
  readonly name: string;
  readonly wrapper: string;
  readonly type?: string;
  readonly version?: string;
  /** "name=value", as the catalog keeps them. */
  readonly options: readonly string[];
}

export interface ForeignTable extends QualifiedName {
  readonly oid: number;
  readonly server: string;
  /** "name=value", as the catalog keeps them. */
  readonly options: readonly string[];
  /** Only the columns defined locally (inherited ones, and a partition's, come from the parents). */
  readonly columns: readonly Column[];
  readonly columnOptions: readonly { readonly column: string; readonly options: readonly string[] }[];
  readonly partitionOf?: { readonly parent: QualifiedName; readonly bound: string };
  readonly inherits: readonly QualifiedName[];
}

/** ALTER DATABASE ... SET name = value, for every role. */
export interface DatabaseSetting {
  readonly name: string;
  /** As the server keeps it: list elements already quoted where needed. */
  readonly value: string;
}

export interface Grant {
  /** The role granted to; null for PUBLIC. */
  readonly grantee: string | null;
  readonly privilege: string;
  readonly grantable: boolean;
}

/** Owners and grants, read only when a run includes privileges. Names are quoted and qualified. */
export type ObjectPrivileges =
  | {
      readonly objects: readonly {
        readonly kind: string;
        readonly name: string;
        readonly owner: string;
        readonly hasAcl: boolean;
        readonly grants: readonly Grant[];
      }[];
      readonly columns: readonly {
        readonly name: string;
        readonly column: string;
        readonly grants: readonly Grant[];
      }[];
      /** ALTER DEFAULT PRIVILEGES entries: for objects `role` creates (in `schema`, or anywhere). */
      readonly defaults: readonly {
        readonly role: string;
        readonly schema: string | null;
        readonly objects: "TABLES" | "SEQUENCES" | "FUNCTIONS" | "TYPES" | "SCHEMAS";
        readonly grants: readonly Grant[];
      }[];
    }
  | undefined;

export interface CatalogModel {
  readonly server: ServerInfo;
  readonly schemas: readonly SchemaObject[];
  readonly extensions: readonly Extension[];
  readonly enums: readonly EnumType[];
  readonly tables: readonly Table[];
  readonly constraints: readonly Constraint[];
  readonly indexes: readonly Index[];
  readonly sequences: readonly Sequence[];
  readonly domains: readonly Domain[];
  readonly composites: readonly CompositeType[];
  readonly ranges: readonly RangeType[];
  readonly routines: readonly Routine[];
  readonly views: readonly View[];
  readonly triggers: readonly Trigger[];
  readonly policies: readonly Policy[];
  readonly comments: readonly Comment[];
  readonly dependencies: readonly Dependency[];
  /** Built-in functions that objects use, with a description of the user (e.g. a column default). */
  readonly builtinFunctionUses: readonly { readonly signature: string; readonly usedBy: string }[];
  readonly notCarried: readonly NotCarried[];
  /**
   * The database's large objects when the whole database is read; undefined when only selected
   * schemas are (large objects belong to no schema, so such a run leaves them alone).
   */
  readonly largeObjects?: readonly LargeObject[];
  /** Owners and grants, present only when the run includes privileges. */
  readonly privileges?: ObjectPrivileges;
  readonly collations: readonly Collation[];
  readonly statistics: readonly StatisticsObject[];
  readonly rules: readonly Rule[];
  readonly textSearchDictionaries: readonly TextSearchDictionary[];
  readonly textSearchConfigurations: readonly TextSearchConfiguration[];
  readonly casts: readonly Cast[];
  readonly operators: readonly Operator[];
  readonly operatorClasses: readonly OperatorClass[];
  readonly operatorFamilies: readonly OperatorFamily[];
  readonly foreignServers: readonly ForeignServer[];
  readonly foreignTables: readonly ForeignTable[];
  readonly databaseSettings: readonly DatabaseSetting[];
}
