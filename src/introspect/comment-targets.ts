import type pg from "pg";
import { z } from "zod";
import type { Comment } from "./model.js";
import { readComments } from "./queries/comments.js";
import { oid, queryRows } from "./rows.js";

const Oid = z.object({ oid });

type CommentedKind =
  | "schemas"
  | "tables"
  | "views"
  | "sequences"
  | "indexes"
  | "constraints"
  | "enums"
  | "domains"
  | "composites"
  | "ranges"
  | "routines"
  | "triggers"
  | "policies"
  | "foreignTables"
  | "collations"
  | "statistics"
  | "rules"
  | "textSearchDictionaries"
  | "textSearchConfigurations"
  | "casts"
  | "operators"
  | "operatorClasses"
  | "operatorFamilies";

/** The objects of each kind whose comments are read: only their OIDs matter. */
type Commented = { readonly [K in CommentedKind]: readonly { readonly oid: number }[] };

/**
 * The comments on every object the model carries (and on their columns), sorted by kind and
 * identity. The index behind a primary key, unique or exclusion constraint is commented as an
 * index (COMMENT ON INDEX), apart from its constraint; a domain's constraints are found through it.
 */
export async function readModelComments(client: pg.Client, m: Commented): Promise<Comment[]> {
  const constraintIndexes = await queryRows(
    client,
    "indexes of constraints",
    "SELECT conindid AS oid FROM pg_catalog.pg_constraint WHERE oid = ANY($1::oid[]) AND contype IN ('p', 'u', 'x')",
    [m.constraints.map((c) => c.oid)],
    Oid,
  );
  const on = (classid: string, objects: readonly { oid: number }[]) =>
    objects.map((o) => ({ classid: `pg_catalog.${classid}`, oid: o.oid }));
  const targets = [
    ...on("pg_namespace", m.schemas),
    ...on("pg_class", [...m.tables, ...m.views, ...m.sequences, ...m.indexes, ...m.foreignTables]),
    ...on("pg_class", constraintIndexes),
    ...on("pg_type", [...m.enums, ...m.domains, ...m.composites, ...m.ranges]),
    ...on("pg_proc", m.routines),
    ...on("pg_constraint", m.constraints),
    ...on("pg_trigger", m.triggers),
    ...on("pg_policy", m.policies),
    ...on("pg_collation", m.collations),
    ...on("pg_statistic_ext", m.statistics),
    ...on("pg_rewrite", m.rules),
    ...on("pg_ts_dict", m.textSearchDictionaries),
    ...on("pg_ts_config", m.textSearchConfigurations),
    ...on("pg_cast", m.casts),
    ...on("pg_operator", m.operators),
    ...on("pg_opclass", m.operatorClasses),
    ...on("pg_opfamily", m.operatorFamilies),
  ];
  const domainOids = new Set(m.domains.map((d) => d.oid));
  const comments: Comment[] = (await readComments(client, targets)).map((c) => ({
    kind: c.class === "pg_type" && domainOids.has(c.oid) ? "domain" : c.kind,
    identity: c.identity,
    text: c.description,
    target: `${c.class}:${c.oid}`,
  }));
  const domainConstraints = await readDomainConstraintComments(client, [...domainOids]);
  return [...comments, ...domainConstraints].sort(
    (a, b) => a.kind.localeCompare(b.kind) || a.identity.localeCompare(b.identity),
  );
}

async function readDomainConstraintComments(
  client: pg.Client,
  domainOids: readonly number[],
): Promise<Comment[]> {
  if (domainOids.length === 0) return [];
  const constraints = await queryRows(
    client,
    "constraints of domains",
    "SELECT oid FROM pg_catalog.pg_constraint WHERE contypid = ANY($1::oid[])",
    [domainOids],
    Oid,
  );
  const rows = await readComments(
    client,
    constraints.map((r) => ({ classid: "pg_catalog.pg_constraint", oid: r.oid })),
  );
  return rows.map((c) => ({
    kind: c.kind,
    identity: c.identity,
    text: c.description,
    target: `${c.class}:${c.oid}`,
  }));
}
