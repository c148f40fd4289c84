/** The whole model, and the database-wide objects: as introspection reads them, readonly. */
import type { Cast, Operator, OperatorClass, OperatorFamily, Routine } from "./routines.js";
import type {
  Column,
  Constraint,
  Index,
  Policy,
  QualifiedName,
  Rule,
  Sequence,
  StatisticsObject,
  Table,
  Trigger,
  View,
} from "./tables.js";
import type { BaseType, Collation, CompositeType, Domain, EnumType, RangeType } from "./types.js";

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
  /** COMMENT ON LARGE OBJECT. */
  readonly comment?: string;
}

/** An object found in the synced schemas that this engine does not create (reported, never dropped silently). */
export interface NotCarried {
  readonly kind: string;
  readonly identity: string;
  /** True when rows would be lost: such objects make a run refuse instead of warn. */
  readonly holdsRows: boolean;
  readonly reason: string;
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

/** A user-created access method (CREATE ACCESS METHOD); like servers, it belongs to the database. */
export interface AccessMethod {
  readonly oid: number;
  readonly name: string;
  readonly type: "table" | "index";
  /** regproc text of the handler function. */
  readonly handler: string;
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

/** A foreign server that a copied foreign table uses. Servers belong to the database, not a schema. */
export interface ForeignServer {
  readonly oid: number;
  readonly name: string;
  readonly wrapper: string;
  /** The extension that creates the wrapper (postgres_fdw, file_fdw), if one does. */
  readonly wrapperExtension?: string;
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

/** A foreign-data wrapper made with CREATE FOREIGN DATA WRAPPER (not by an extension); it belongs to the database. */
export interface ForeignDataWrapper {
  readonly oid: number;
  readonly name: string;
  /** regproc text of the handler and validator functions. */
  readonly handler?: string;
  readonly validator?: string;
  /** "name=value", as the catalog keeps them. */
  readonly options: readonly string[];
}

/** CREATE TRANSFORM FOR type LANGUAGE lang: database-wide, tied to its type. */
export interface Transform {
  readonly oid: number;
  /** format_type() output of the type, schema-qualified for a user type. */
  readonly type: string;
  readonly language: string;
  /** regprocedure text of the FROM SQL and TO SQL functions. */
  readonly fromSql?: string;
  readonly toSql?: string;
}

/** A shell type (CREATE TYPE name, never defined). */
export interface ShellType extends QualifiedName {
  readonly oid: number;
  readonly comment?: string;
}

/** A shell operator: named as a commutator or negator, never defined (oprcode 0). */
export interface ShellOperator extends QualifiedName {
  readonly oid: number;
  /** Absent for a prefix operator. */
  readonly left?: string;
  readonly right: string;
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
  /** User-defined base types; absent in a model written by hand (none). */
  readonly baseTypes?: readonly BaseType[];
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
  /**
   * Members the source added to families the run does not create (a built-in family, an
   * extension's), whose operators and functions it does: each family with those members only.
   */
  readonly familyMembers?: readonly OperatorFamily[];
  /** Access methods created with CREATE ACCESS METHOD (not by an extension). */
  readonly accessMethods: readonly AccessMethod[];
  readonly foreignServers: readonly ForeignServer[];
  /** Wrappers made by hand (CREATE FOREIGN DATA WRAPPER), created on the destination when missing. */
  readonly foreignDataWrappers?: readonly ForeignDataWrapper[];
  readonly transforms?: readonly Transform[];
  /** Shell types: created in the live schema at the cut-over (a shell cannot be moved between schemas). */
  readonly shellTypes?: readonly ShellType[];
  /** Shell operators that no copied operator declares again (as its commutator or negator). */
  readonly shellOperators?: readonly ShellOperator[];
  readonly foreignTables: readonly ForeignTable[];
  readonly databaseSettings: readonly DatabaseSetting[];
}
