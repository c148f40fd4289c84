import { z } from "zod";
import type {
  Aggregate,
  AggregateRoutine,
  Cast,
  FunctionRoutine,
  Operator,
  OperatorClass,
  OperatorFamily,
  OperatorMember,
  SupportFunction,
} from "../../introspect/model.js";
import { count, type Mirrors, objectId, qualifiedName, text } from "./common.js";

/** Routines, aggregates, operators and casts, in the catalog document (docs/archives.md). */

const finalModify = z.enum(["read-only", "shareable", "read-write"]);
const transition = z.strictObject({
  function: text,
  stateType: text,
  stateSpace: count,
  initialValue: text.optional(),
});
const final = z.strictObject({ function: text, extra: z.boolean() });

export const aggregate = z.strictObject({
  kind: z.enum(["normal", "ordered-set", "hypothetical"]),
  arguments: text,
  transition,
  final: final.optional(),
  finalModify,
  combine: text.optional(),
  serialize: text.optional(),
  deserialize: text.optional(),
  moving: z
    .strictObject({
      function: text,
      stateType: text,
      stateSpace: count,
      initialValue: text.optional(),
      inverse: text,
    })
    .optional(),
  movingFinal: final.optional(),
  movingFinalModify: finalModify,
  sortOperator: text.optional(),
  parallel: z.enum(["safe", "restricted", "unsafe"]),
});

const routineBase = { schema: text, name: text, oid: objectId, identityArgs: text, language: text };

export const functionRoutine = z.strictObject({
  ...routineBase,
  kind: z.enum(["function", "procedure"]),
  definition: text,
});
export const aggregateRoutine = z.strictObject({ ...routineBase, kind: z.literal("aggregate"), aggregate });
export const routine = z.union([functionRoutine, aggregateRoutine]);

export const cast = z.strictObject({
  oid: objectId,
  source: text,
  target: text,
  method: z.enum(["function", "binary", "inout"]),
  function: text.optional(),
  context: z.enum(["explicit", "assignment", "implicit"]),
  rangeTypes: z.boolean(),
});

export const operator = z.strictObject({
  schema: text,
  name: text,
  oid: objectId,
  left: text.optional(),
  right: text,
  result: text,
  function: text,
  commutator: qualifiedName.optional(),
  negator: qualifiedName.optional(),
  restrict: text.optional(),
  join: text.optional(),
  hashes: z.boolean(),
  merges: z.boolean(),
});

export const operatorMember = z.strictObject({
  strategy: count,
  operator: qualifiedName,
  left: text,
  right: text,
  orderBy: qualifiedName.optional(),
});
export const supportFunction = z.strictObject({ number: count, left: text, right: text, function: text });

export const operatorClass = z.strictObject({
  schema: text,
  name: text,
  oid: objectId,
  method: text,
  type: text,
  isDefault: z.boolean(),
  family: qualifiedName,
  storage: text.optional(),
  operators: z.array(operatorMember),
  functions: z.array(supportFunction),
});

export const operatorFamily = z.strictObject({
  schema: text,
  name: text,
  oid: objectId,
  method: text,
  operators: z.array(operatorMember),
  functions: z.array(supportFunction),
});

export const ROUTINE_CHECKS: [
  Mirrors<Aggregate, typeof aggregate>,
  Mirrors<FunctionRoutine, typeof functionRoutine>,
  Mirrors<AggregateRoutine, typeof aggregateRoutine>,
  Mirrors<Cast, typeof cast>,
  Mirrors<Operator, typeof operator>,
  Mirrors<OperatorMember, typeof operatorMember>,
  Mirrors<SupportFunction, typeof supportFunction>,
  Mirrors<OperatorClass, typeof operatorClass>,
  Mirrors<OperatorFamily, typeof operatorFamily>,
] = [true, true, true, true, true, true, true, true, true];
