/** Routines, aggregates, operators and casts: as introspection reads them, readonly. */
import type { QualifiedName } from "./tables.js";

export type RoutineKind = "function" | "procedure" | "aggregate";

interface RoutineBase extends QualifiedName {
  readonly oid: number;
  readonly identityArgs: string;
  readonly language: string;
}

export interface FunctionRoutine extends RoutineBase {
  readonly kind: "function" | "procedure";
  /** pg_get_functiondef(): a complete CREATE statement. */
  readonly definition: string;
}

export interface AggregateRoutine extends RoutineBase {
  readonly kind: "aggregate";
  /** There is no pg_get_aggregatedef: the plan renders CREATE AGGREGATE from these parts. */
  readonly aggregate: Aggregate;
}

export type Routine = FunctionRoutine | AggregateRoutine;

/** aggkind: n normal, o ordered-set, h hypothetical-set. */
export type AggregateKind = "normal" | "ordered-set" | "hypothetical";
/** aggfinalmodify / aggmfinalmodify: r read-only, s shareable, w read-write. */
export type FinalModify = "read-only" | "shareable" | "read-write";
export type ParallelSafety = "safe" | "restricted" | "unsafe";

/** A final function (regproc text), and whether it takes the extra dummy arguments (FINALFUNC_EXTRA). */
export interface AggregateFinal {
  readonly function: string;
  readonly extra: boolean;
}

/** A transition: its function, state type, state size estimate and initial value. */
export interface AggregateTransition {
  readonly function: string;
  readonly stateType: string;
  /** SSPACE / MSSPACE; 0 for the server's estimate. */
  readonly stateSpace: number;
  readonly initialValue?: string;
}

export interface Aggregate {
  readonly kind: AggregateKind;
  /** Arguments as pg_get_function_identity_arguments prints them ("" for agg(*)). */
  readonly arguments: string;
  readonly transition: AggregateTransition;
  readonly final?: AggregateFinal;
  readonly finalModify: FinalModify;
  readonly combine?: string;
  readonly serialize?: string;
  readonly deserialize?: string;
  /** Moving-aggregate mode (MSFUNC, MINVFUNC, MSTYPE, ...): window frames that shrink. */
  readonly moving?: AggregateTransition & { readonly inverse: string };
  readonly movingFinal?: AggregateFinal;
  readonly movingFinalModify: FinalModify;
  /** SORTOP, the operator's name (qualified). */
  readonly sortOperator?: string;
  readonly parallel: ParallelSafety;
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
