import { z } from "zod";
import type {
  BaseType,
  Collation,
  CompositeType,
  Domain,
  DomainCheck,
  EnumType,
  RangeType,
} from "../../introspect/model.js";
import { count, type Mirrors, objectId, qualifiedName, text, texts } from "./common.js";

/** Types and collations, in the catalog document (docs/archives.md). */

export const enumType = z.strictObject({ schema: text, name: text, oid: objectId, labels: texts });

export const domainCheck = z.strictObject({ name: text, definition: text, notValid: z.boolean().optional() });

export const domain = z.strictObject({
  schema: text,
  name: text,
  oid: objectId,
  baseType: text,
  notNull: z.boolean(),
  defaultExpr: text.optional(),
  collation: qualifiedName.optional(),
  checks: z.array(domainCheck),
  negativeScale: z.boolean().optional(),
});

export const compositeType = z.strictObject({
  schema: text,
  name: text,
  oid: objectId,
  attributes: z.array(
    z.strictObject({
      name: text,
      type: text,
      collation: text.optional(),
      negativeScale: z.boolean().optional(),
    }),
  ),
});

export const rangeType = z.strictObject({
  schema: text,
  name: text,
  oid: objectId,
  subtype: text,
  subtypeOpclass: text.optional(),
  collation: text.optional(),
  subtypeDiff: text.optional(),
  canonical: text.optional(),
  multirange: qualifiedName.optional(),
});

export const collation = z.strictObject({
  schema: text,
  name: text,
  oid: objectId,
  provider: z.enum(["libc", "icu", "builtin"]),
  deterministic: z.boolean(),
  lcCollate: text.optional(),
  lcCtype: text.optional(),
  locale: text.optional(),
  icuRules: text.optional(),
});

export const baseType = z.strictObject({
  schema: text,
  name: text,
  oid: objectId,
  input: text,
  output: text,
  receive: text.optional(),
  send: text.optional(),
  typmodIn: text.optional(),
  typmodOut: text.optional(),
  analyze: text.optional(),
  subscript: text.optional(),
  internalLength: count,
  passedByValue: z.boolean(),
  alignment: z.enum(["char", "int2", "int4", "double"]),
  storage: z.enum(["plain", "external", "main", "extended"]),
  category: text,
  preferred: z.boolean(),
  defaultValue: text.optional(),
  element: text.optional(),
  delimiter: text,
  collatable: z.boolean(),
  implementations: z.array(
    z.strictObject({ function: text, language: text, library: text.optional(), symbol: text }),
  ),
});

export const TYPE_CHECKS: [
  Mirrors<EnumType, typeof enumType>,
  Mirrors<DomainCheck, typeof domainCheck>,
  Mirrors<Domain, typeof domain>,
  Mirrors<CompositeType, typeof compositeType>,
  Mirrors<RangeType, typeof rangeType>,
  Mirrors<Collation, typeof collation>,
  Mirrors<BaseType, typeof baseType>,
] = [true, true, true, true, true, true, true];
