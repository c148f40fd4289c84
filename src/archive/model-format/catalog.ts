import { z } from "zod";
import type {
  AccessMethod,
  CatalogModel,
  Comment,
  DatabaseSetting,
  Dependency,
  Extension,
  ForeignDataWrapper,
  ForeignServer,
  ForeignTable,
  LargeObject,
  NotCarried,
  ObjectPrivileges,
  SchemaObject,
  ShellOperator,
  ShellType,
  TextSearchConfiguration,
  TextSearchDictionary,
  Transform,
} from "../../introspect/model.js";
import { type Mirrors, objectId, qualifiedName, text, texts } from "./common.js";
import { cast, operator, operatorClass, operatorFamily, routine } from "./routines.js";
import {
  column,
  constraint,
  index,
  policy,
  rule,
  sequence,
  statisticsObject,
  table,
  trigger,
  view,
} from "./tables.js";
import { baseType, collation, compositeType, domain, enumType, rangeType } from "./types.js";

/** Database-wide objects and the whole catalog document (docs/archives.md). */

export const schemaObject = z.strictObject({ oid: objectId, name: text });
const grant = z.strictObject({ grantee: text.nullable(), privilege: text, grantable: z.boolean() });
export const largeObject = z.strictObject({
  oid: objectId,
  owner: text,
  grants: z.array(grant).nullable(),
  comment: text.optional(),
});
export const notCarried = z.strictObject({
  kind: text,
  identity: text,
  holdsRows: z.boolean(),
  reason: text,
});
export const comment = z.strictObject({ kind: text, identity: text, text, target: text });
export const dependency = z.strictObject({ dependent: text, referenced: text });
export const extension = z.strictObject({ oid: objectId, name: text, schema: text, version: text });
export const accessMethod = z.strictObject({
  oid: objectId,
  name: text,
  type: z.enum(["table", "index"]),
  handler: text,
});
export const textSearchDictionary = z.strictObject({
  schema: text,
  name: text,
  oid: objectId,
  template: qualifiedName,
  options: text.optional(),
});
export const textSearchConfiguration = z.strictObject({
  schema: text,
  name: text,
  oid: objectId,
  parser: qualifiedName,
  mappings: z.array(z.strictObject({ tokenType: text, dictionaries: z.array(qualifiedName) })),
});
export const foreignServer = z.strictObject({
  oid: objectId,
  name: text,
  wrapper: text,
  wrapperExtension: text.optional(),
  type: text.optional(),
  version: text.optional(),
  options: texts,
});
export const foreignTable = z.strictObject({
  schema: text,
  name: text,
  oid: objectId,
  server: text,
  options: texts,
  columns: z.array(column),
  columnOptions: z.array(z.strictObject({ column: text, options: texts })),
  partitionOf: z.strictObject({ parent: qualifiedName, bound: text }).optional(),
  inherits: z.array(qualifiedName),
});
export const foreignDataWrapper = z.strictObject({
  oid: objectId,
  name: text,
  handler: text.optional(),
  validator: text.optional(),
  options: texts,
});
export const transform = z.strictObject({
  oid: objectId,
  type: text,
  language: text,
  fromSql: text.optional(),
  toSql: text.optional(),
});
export const shellType = z.strictObject({
  schema: text,
  name: text,
  oid: objectId,
  comment: text.optional(),
});
export const shellOperator = z.strictObject({
  schema: text,
  name: text,
  oid: objectId,
  left: text.optional(),
  right: text,
});
export const databaseSetting = z.strictObject({ name: text, value: text });
const privilegeLists = z.strictObject({
  objects: z.array(
    z.strictObject({ kind: text, name: text, owner: text, hasAcl: z.boolean(), grants: z.array(grant) }),
  ),
  columns: z.array(z.strictObject({ name: text, column: text, grants: z.array(grant) })),
  defaults: z.array(
    z.strictObject({
      role: text,
      schema: text.nullable(),
      objects: z.enum(["TABLES", "SEQUENCES", "FUNCTIONS", "TYPES", "SCHEMAS"]),
      grants: z.array(grant),
    }),
  ),
});
export const privileges = privilegeLists.optional();

/** Every kind of object the catalog holds (the model without the server facts, kept in the manifest). */
export const catalogObjects = z.strictObject({
  schemas: z.array(schemaObject),
  extensions: z.array(extension),
  enums: z.array(enumType),
  tables: z.array(table),
  constraints: z.array(constraint),
  indexes: z.array(index),
  sequences: z.array(sequence),
  domains: z.array(domain),
  composites: z.array(compositeType),
  ranges: z.array(rangeType),
  baseTypes: z.array(baseType).optional(),
  routines: z.array(routine),
  views: z.array(view),
  triggers: z.array(trigger),
  policies: z.array(policy),
  comments: z.array(comment),
  dependencies: z.array(dependency),
  builtinFunctionUses: z.array(z.strictObject({ signature: text, usedBy: text })),
  notCarried: z.array(notCarried),
  largeObjects: z.array(largeObject).optional(),
  privileges,
  collations: z.array(collation),
  statistics: z.array(statisticsObject),
  rules: z.array(rule),
  textSearchDictionaries: z.array(textSearchDictionary),
  textSearchConfigurations: z.array(textSearchConfiguration),
  casts: z.array(cast),
  operators: z.array(operator),
  operatorClasses: z.array(operatorClass),
  operatorFamilies: z.array(operatorFamily),
  familyMembers: z.array(operatorFamily).optional(),
  accessMethods: z.array(accessMethod),
  foreignServers: z.array(foreignServer),
  foreignDataWrappers: z.array(foreignDataWrapper).optional(),
  transforms: z.array(transform).optional(),
  shellTypes: z.array(shellType).optional(),
  shellOperators: z.array(shellOperator).optional(),
  foreignTables: z.array(foreignTable),
  databaseSettings: z.array(databaseSetting),
});

export const CATALOG_CHECKS: [
  Mirrors<SchemaObject, typeof schemaObject>,
  Mirrors<LargeObject, typeof largeObject>,
  Mirrors<NotCarried, typeof notCarried>,
  Mirrors<Comment, typeof comment>,
  Mirrors<Dependency, typeof dependency>,
  Mirrors<Extension, typeof extension>,
  Mirrors<AccessMethod, typeof accessMethod>,
  Mirrors<TextSearchDictionary, typeof textSearchDictionary>,
  Mirrors<TextSearchConfiguration, typeof textSearchConfiguration>,
  Mirrors<ForeignServer, typeof foreignServer>,
  Mirrors<ForeignTable, typeof foreignTable>,
  Mirrors<ForeignDataWrapper, typeof foreignDataWrapper>,
  Mirrors<Transform, typeof transform>,
  Mirrors<ShellType, typeof shellType>,
  Mirrors<ShellOperator, typeof shellOperator>,
  Mirrors<DatabaseSetting, typeof databaseSetting>,
  Mirrors<NonNullable<ObjectPrivileges>, typeof privilegeLists>,
  Mirrors<Omit<CatalogModel, "server">, typeof catalogObjects>,
] = [
  true,
  true,
  true,
  true,
  true,
  true,
  true,
  true,
  true,
  true,
  true,
  true,
  true,
  true,
  true,
  true,
  true,
  true,
];
