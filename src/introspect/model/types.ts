/** Types and collations: as introspection reads them, readonly. */
import type { QualifiedName } from "./tables.js";

export interface EnumType extends QualifiedName {
  readonly oid: number;
  readonly labels: readonly string[];
}

export interface DomainCheck {
  readonly name: string;
  /** pg_get_constraintdef() output (with NOT VALID for an unvalidated one). */
  readonly definition: string;
  /** Added NOT VALID: created after the data, since the rows need not satisfy it. */
  readonly notValid?: boolean;
}

export interface Domain extends QualifiedName {
  readonly oid: number;
  readonly baseType: string;
  readonly notNull: boolean;
  readonly defaultExpr?: string;
  readonly collation?: QualifiedName;
  readonly checks: readonly DomainCheck[];
  /** The base type (or its array's element) is numeric with a negative scale (15 and later). */
  readonly negativeScale?: boolean;
}

export interface CompositeType extends QualifiedName {
  readonly oid: number;
  readonly attributes: readonly {
    readonly name: string;
    readonly type: string;
    readonly collation?: string;
    readonly negativeScale?: boolean;
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

/**
 * A user-defined base type: its support functions (regproc text, schema-qualified) and storage.
 * `implementations` is the code behind each support function of the synced schemas: a C symbol in
 * a library, or a built-in (language internal).
 */
export interface BaseType extends QualifiedName {
  readonly oid: number;
  readonly input: string;
  readonly output: string;
  readonly receive?: string;
  readonly send?: string;
  readonly typmodIn?: string;
  readonly typmodOut?: string;
  readonly analyze?: string;
  readonly subscript?: string;
  /** typlen: bytes, or -1 for a variable length. */
  readonly internalLength: number;
  readonly passedByValue: boolean;
  readonly alignment: "char" | "int2" | "int4" | "double";
  readonly storage: "plain" | "external" | "main" | "extended";
  readonly category: string;
  readonly preferred: boolean;
  readonly defaultValue?: string;
  /** format_type() of the element type, for a fixed-length array type such as point. */
  readonly element?: string;
  readonly delimiter: string;
  readonly collatable: boolean;
  readonly implementations: readonly {
    /** regprocedure text. */
    readonly function: string;
    readonly language: string;
    /** probin of a C function, e.g. `$libdir/mytype`. */
    readonly library?: string;
    /** prosrc: the C symbol, or the built-in's name. */
    readonly symbol: string;
  }[];
}
