import { z } from "zod";
import type {
  Column,
  Constraint,
  Index,
  Policy,
  Rule,
  Sequence,
  SequenceOptions,
  StatisticsObject,
  Table,
  Trigger,
  View,
} from "../../introspect/model.js";
import { amount, count, type Mirrors, objectId, qualifiedName, text, texts } from "./common.js";

/** Tables and what hangs off them, in the catalog document (docs/archives.md). */

export const sequenceOptions = z.strictObject({
  dataType: z.enum(["smallint", "integer", "bigint"]),
  start: text,
  increment: text,
  min: text,
  max: text,
  cache: text,
  cycle: z.boolean(),
});

const storageKind = z.enum(["plain", "external", "extended", "main"]);

export const column = z.strictObject({
  name: text,
  position: count,
  type: text,
  typeOid: objectId,
  binarySafe: z.boolean(),
  regNames: z.enum(["object", "operator", "nested"]).optional(),
  notNull: z.boolean(),
  notNullConstraint: z.strictObject({ name: text, valid: z.boolean(), noInherit: z.boolean() }).optional(),
  defaultExpr: text.optional(),
  collation: qualifiedName.optional(),
  identity: z
    .strictObject({
      kind: z.enum(["always", "by default"]),
      sequence: qualifiedName,
      options: sequenceOptions,
    })
    .optional(),
  generated: z.strictObject({ kind: z.enum(["stored", "virtual"]), expr: text }).optional(),
  storage: z.strictObject({ kind: storageKind, typeDefault: storageKind }).optional(),
  compression: z.enum(["pglz", "lz4"]).optional(),
  statisticsTarget: count.optional(),
  options: texts.optional(),
  negativeScale: z.boolean().optional(),
});

const partitionOf = z.strictObject({ parent: qualifiedName, bound: text });
const persistence = z.enum(["permanent", "unlogged"]);

export const table = z.strictObject({
  schema: text,
  name: text,
  oid: objectId,
  persistence,
  columns: z.array(column),
  allColumns: z.array(column),
  options: texts,
  toastOptions: texts.optional(),
  accessMethod: text.optional(),
  ofType: text.optional(),
  partitionKey: text.optional(),
  partitionOf: partitionOf.optional(),
  inherits: z.array(qualifiedName),
  rowSecurity: z.boolean(),
  forceRowSecurity: z.boolean(),
  replicaIdentity: z
    .discriminatedUnion("kind", [
      z.strictObject({ kind: z.literal("nothing") }),
      z.strictObject({ kind: z.literal("full") }),
      z.strictObject({ kind: z.literal("index"), index: text }),
    ])
    .optional(),
  clusterOn: text.optional(),
  bytes: amount,
  estimatedRows: z.number(),
});

export const constraint = z.strictObject({
  oid: objectId,
  table: qualifiedName,
  tableOid: objectId,
  name: text,
  kind: z.enum(["primary key", "unique", "check", "foreign key", "exclusion"]),
  definition: text,
  referencedTableOid: objectId.optional(),
  referencedTable: qualifiedName.optional(),
  referencesExtensionTable: z.boolean().optional(),
  notValid: z.boolean().optional(),
  index: text.optional(),
  indexOptions: texts.optional(),
  nullsNotDistinct: z.boolean().optional(),
  indexAttachedTo: qualifiedName.optional(),
  inheritedNames: z
    .array(z.strictObject({ table: qualifiedName, referenced: qualifiedName, name: text }))
    .optional(),
});

export const index = z.strictObject({
  oid: objectId,
  table: qualifiedName,
  tableOid: objectId,
  name: text,
  definition: text,
  attachedTo: qualifiedName.optional(),
  nullsNotDistinct: z.boolean().optional(),
});

export const sequence = z.strictObject({
  schema: text,
  name: text,
  oid: objectId,
  options: sequenceOptions,
  persistence,
  lastValue: text.nullable(),
  ownedBy: z.strictObject({ table: qualifiedName, column: text }).optional(),
  isIdentity: z.boolean(),
});

const triggerState = z.enum(["origin", "disabled", "replica", "always"]);

export const trigger = z.strictObject({
  oid: objectId,
  table: qualifiedName,
  tableOid: objectId,
  name: text,
  definition: text,
  state: triggerState,
  partitionStates: z.array(z.strictObject({ table: qualifiedName, state: triggerState })).optional(),
});

export const policy = z.strictObject({
  oid: objectId,
  table: qualifiedName,
  tableOid: objectId,
  name: text,
  permissive: z.boolean(),
  command: z.enum(["select", "insert", "update", "delete", "all"]),
  roles: texts,
  roleNames: texts,
  using: text.optional(),
  withCheck: text.optional(),
});

export const statisticsObject = z.strictObject({
  schema: text,
  name: text,
  oid: objectId,
  table: qualifiedName,
  tableOid: objectId,
  definition: text,
  target: count.optional(),
});

export const rule = z.strictObject({
  oid: objectId,
  table: qualifiedName,
  tableOid: objectId,
  name: text,
  definition: text,
  state: triggerState,
});

export const view = z.strictObject({
  schema: text,
  name: text,
  oid: objectId,
  materialized: z.boolean(),
  definition: text,
  columns: texts,
  columnTypes: z.array(z.strictObject({ type: text, collation: text.optional() })).optional(),
  options: texts,
  populated: z.boolean(),
  accessMethod: text.optional(),
});

// Every kind reads back as the model's, with no key left out (a failure here names the keys).
export const TABLE_CHECKS: [
  Mirrors<SequenceOptions, typeof sequenceOptions>,
  Mirrors<Column, typeof column>,
  Mirrors<Table, typeof table>,
  Mirrors<Constraint, typeof constraint>,
  Mirrors<Index, typeof index>,
  Mirrors<Sequence, typeof sequence>,
  Mirrors<Trigger, typeof trigger>,
  Mirrors<Policy, typeof policy>,
  Mirrors<StatisticsObject, typeof statisticsObject>,
  Mirrors<Rule, typeof rule>,
  Mirrors<View, typeof view>,
] = [true, true, true, true, true, true, true, true, true, true, true];
