import type { SortNode } from "../order.js";
import type { Statement } from "./types.js";

/**
 * The three phases of a run, as pg_dump's sections: pre-data (one staging transaction before the
 * load), data (per table as soon as its rows are in: keys, indexes, foreign keys between plain
 * tables; src/pipeline/load-tasks.ts) and post-data (one transaction after the load). An item
 * never depends on an item of a later phase: the breakers (breakers.ts) postpone or split it first.
 */
export type Phase = "pre" | "data" | "post";

export const PHASES: readonly Phase[] = ["pre", "data", "post"];

/**
 * The kinds of DDL item, in the order of their priority among items that are ready at the same
 * time (the ranks of the sort): what pg_depend does not record (a cast an expression needs to parse,
 * a type an unchecked function body names) is then still created first, as pg_dump's priorities do.
 */
const KINDS = [
  "collation",
  "shell type",
  "enum",
  "domain",
  "composite type",
  "range type",
  "base type",
  // Before routines, as pg_dump ranks them: pg_depend does not record that an expression uses a
  // cast without a function (an SQL-standard body's v::integer), which must exist to parse it.
  "cast",
  "transform",
  "routine",
  "access method",
  "foreign-data wrapper",
  "server",
  "operator",
  "operator family",
  "operator class",
  "text search dictionary",
  "text search configuration",
  "sequence",
  "table",
  "column default",
  "foreign table",
  "view",
  "materialized view",
  "sequence owner",
  "key",
  "index",
  "index attach",
  "index marks",
  "domain check",
  "view replacement",
  "refresh",
  "foreign key",
  "trigger",
  "statistics",
  "rule",
  "policy",
  "row security",
  "comment",
  "sequence value",
] as const;

export type ItemKind = (typeof KINDS)[number];

const RANKS = new Map<ItemKind, number>(KINDS.map((k, i) => [k, i]));

export function rankOf(kind: ItemKind): number {
  return RANKS.get(kind) ?? KINDS.length;
}

/**
 * One node of the plan's graph: the statements that create one object, keyed like pg_depend's
 * folded keys ("<catalog>:<oid>"), with the keys of the catalog objects it creates along with it
 * (`claims`: a table's column defaults and identity sequences, a foreign table's CHECK constraints,
 * a family's operator classes) and the keys it depends on.
 */
export interface DdlItem extends SortNode {
  readonly kind: ItemKind;
  phase: Phase;
  statements: readonly Statement[];
  readonly claims: string[];
  /** The edges pg_depend lacks (a partition's parent, a comment's object, a refresh's matview). */
  readonly implicit: readonly string[];
  /** Dependency keys: pg_depend's (of the key and every claim) plus the implicit ones. */
  readonly deps: Set<string>;
  /** Keys, indexes and foreign keys: the table they belong to, which the load task graph follows. */
  readonly tableOid?: number;
  /** Foreign keys: the referenced table. */
  readonly referencedTableOid?: number;
  /**
   * A key whose first statement builds its unique index (CREATE UNIQUE INDEX, SHARE lock) and whose
   * second attaches it (src/ddl/plan/key-index.ts): in the load, the build runs beside the table's
   * other index builds. In post-data both run in order.
   */
  readonly buildsIndexFirst?: boolean;
  /**
   * With buildsIndexFirst: the same key as one ADD CONSTRAINT, which builds its index itself. A
   * small table's builds run one after another in one task (src/pipeline/load-tasks.ts), where the
   * split gains nothing and costs a statement (docs/design.md, "Keys beside indexes").
   */
  readonly inOneStatement?: Statement;
}

export function item(
  fields: Omit<DdlItem, "rank" | "claims" | "deps" | "implicit" | "name"> & {
    readonly claims?: readonly string[];
    readonly implicit?: readonly string[];
  },
): DdlItem {
  const object = fields.statements[0]?.object ?? fields.key;
  // Every property named, always in this order: V8 then gives all items one hidden class. Built
  // with an object spread, each of the 30,000 items of 10,000 tables had one of its own, its
  // descriptors and enum cache included: about 15 MB at the plan's peak (bench/README.md,
  // "Many tables").
  return {
    key: fields.key,
    kind: fields.kind,
    phase: fields.phase,
    statements: fields.statements,
    rank: rankOf(fields.kind),
    name: object,
    claims: [...(fields.claims ?? [])],
    implicit: fields.implicit ?? [],
    deps: new Set(fields.implicit ?? []),
    tableOid: fields.tableOid,
    referencedTableOid: fields.referencedTableOid,
    buildsIndexFirst: fields.buildsIndexFirst,
    inOneStatement: fields.inOneStatement,
    // Every field of DdlItem, so that one added later cannot be dropped here unnoticed.
  } satisfies Record<keyof DdlItem, unknown>;
}
