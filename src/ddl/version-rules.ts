import type { CatalogModel, Column, QualifiedName, Table } from "../introspect/model.js";
import { describeObject } from "../sql/describe.js";
import { type Feature, featureRequirement, hasFeature } from "../sql/features.js";
import { deparsedTexts } from "./deparsed-texts.js";
import { usesXmlIndent } from "./xml-serialize.js";

/**
 * The refusals that depend on the destination's major version. Each names its feature in the one
 * version table (`src/sql/features.ts`); renderers consult the same table for their choices.
 */

/** An object the destination cannot receive, and why (the feature and the version that has it). */
export interface Refusal {
  readonly object: string;
  readonly reason: string;
}

interface FeatureRule {
  readonly feature: Feature;
  readonly find: (model: CatalogModel) => string[];
}

const column = (t: QualifiedName, c: { name: string }) =>
  describeObject("column", [t.schema, t.name, c.name]);

const FEATURE_RULES: readonly FeatureRule[] = [
  {
    feature: "virtual generated columns",
    find: (m) =>
      m.tables.flatMap((t) =>
        t.columns.filter((c) => c.generated?.kind === "virtual").map((c) => column(t, c)),
      ),
  },
  {
    feature: "security_invoker views",
    find: (m) =>
      m.views
        .filter((v) => v.options.some((o) => /^security_invoker=(true|on|1)$/i.test(o)))
        .map((v) => describeObject("view", v)),
  },
  {
    // Read from pg_index.indnullsnotdistinct, never from the deparsed text (a CHECK's string
    // literal may say the words).
    feature: "UNIQUE NULLS NOT DISTINCT",
    find: (m) => [
      ...m.constraints
        .filter((c) => c.nullsNotDistinct)
        .map((c) => describeObject("constraint", c.name, { on: c.table })),
      ...m.indexes
        .filter((i) => i.nullsNotDistinct)
        .map((i) => describeObject("index", [i.table.schema, i.name])),
    ],
  },
  {
    feature: "numeric with a negative scale",
    find: (m) => [
      ...m.tables.flatMap((t) => t.columns.filter((c) => c.negativeScale).map((c) => column(t, c))),
      ...m.foreignTables.flatMap((t) => t.columns.filter((c) => c.negativeScale).map((c) => column(t, c))),
      ...m.domains.filter((d) => d.negativeScale).map((d) => describeObject("domain", d)),
      ...m.composites
        .filter((t) => t.attributes.some((a) => a.negativeScale))
        .map((t) => describeObject("type", t)),
    ],
  },
  {
    // Sequences of an unlogged table become logged on 14, and the plan says so (tableWarnings);
    // a sequence made unlogged on its own is refused.
    feature: "unlogged sequences",
    find: (m) =>
      m.sequences
        .filter((s) => s.persistence === "unlogged" && !ofUnloggedTable(m, s.ownedBy?.table))
        .map((s) => describeObject("sequence", s)),
  },
  {
    feature: "XMLSERIALIZE ... [NO] INDENT",
    find: (m) => [
      ...new Set(
        deparsedTexts(m)
          .filter((d) => usesXmlIndent(d.sql))
          .map((d) => d.object),
      ),
    ],
  },
  {
    feature: "inheritance children with a generation expression of their own",
    find: (m) =>
      generatedUnderParents(m)
        .filter(
          ({ c, parent }) => parent.generated !== undefined && parent.generated.expr !== c.generated?.expr,
        )
        .map(({ t, c }) => column(t, c)),
  },
  {
    feature: "generated columns in inheritance children whose parent's column is not generated",
    find: (m) =>
      generatedUnderParents(m)
        .filter(({ parent }) => parent.generated === undefined)
        .map(({ t, c }) => column(t, c)),
  },
  {
    feature: "table access methods on partitioned tables",
    find: (m) =>
      m.tables.filter((t) => t.partitionKey && t.accessMethod).map((t) => describeObject("table", t)),
  },
];

function ofUnloggedTable(m: CatalogModel, table: QualifiedName | undefined): boolean {
  return (
    table !== undefined &&
    m.tables.some((t) => t.schema === table.schema && t.name === table.name && t.persistence === "unlogged")
  );
}

/** Each generated column of a partition or inheritance child, with the column of its parent it merges with. */
function generatedUnderParents(m: CatalogModel): { t: Table; c: Column; parent: Column }[] {
  const byName = new Map(m.tables.map((t) => [`${t.schema}\u0000${t.name}`, t]));
  return m.tables.flatMap((t) => {
    const parents = [...t.inherits, ...(t.partitionOf ? [t.partitionOf.parent] : [])]
      .map((p) => byName.get(`${p.schema}\u0000${p.name}`))
      .filter((p): p is Table => p !== undefined);
    if (parents.length === 0) return [];
    return t.allColumns.flatMap((c) => {
      const parent = parents.map((p) => p.allColumns.find((x) => x.name === c.name)).find((x) => x);
      return c.generated && parent ? [{ t, c, parent }] : [];
    });
  });
}

/**
 * The objects of the model that a destination of this major version cannot hold: features newer
 * (or older) than the destination, and built-in functions it does not have (asked of the
 * destination itself, so the rule holds for any pair of versions).
 */
export function findRefusals(
  model: CatalogModel,
  targetMajor: number,
  missingFunctions: ReadonlySet<string> = new Set(),
): Refusal[] {
  const features = FEATURE_RULES.filter((rule) => !hasFeature(targetMajor, rule.feature)).flatMap((rule) =>
    rule.find(model).map((object) => ({ object, reason: featureRequirement(rule.feature) })),
  );
  const functions = model.builtinFunctionUses
    .filter((u) => missingFunctions.has(u.signature))
    .map((u) => ({
      object: u.usedBy,
      reason: `it calls ${u.signature}, which PostgreSQL ${targetMajor} does not have (PostgreSQL ${model.server.major} does)`,
    }));
  return [...features, ...functions];
}
