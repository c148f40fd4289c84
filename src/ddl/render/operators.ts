import type {
  Operator,
  OperatorClass,
  OperatorFamily,
  OperatorMember,
  QualifiedName,
  ShellOperator,
  SupportFunction,
} from "../../introspect/model.js";
import { qualify, quoteIdent } from "../../sql/quote.js";
import { type RenderContext, stagedKey } from "./context.js";

/**
 * Operators the plan creates, by (schema, name): a reference to one of them points at its staging
 * schema. Operator names are not identifiers, so RenderContext.sql cannot find them in text; the
 * renderers here build every operator reference from its parts.
 */
export type CarriedOperators = ReadonlySet<string>;

export function carriedOperators<T extends QualifiedName>(operators: readonly T[]): CarriedOperators {
  return new Set(operators.map((o) => stagedKey(o.schema, o.name)));
}

/** `schema.op`, with the staging schema for an operator the plan creates. */
export function operatorName(ref: QualifiedName, ctx: RenderContext, carried: CarriedOperators): string {
  const schema = carried.has(stagedKey(ref.schema, ref.name)) ? ctx.stage(ref).schema : ref.schema;
  return `${quoteIdent(schema)}.${ref.name}`;
}

export function createOperator(o: Operator, ctx: RenderContext, carried: CarriedOperators): string {
  const parts: string[] = [];
  if (o.left !== undefined) parts.push(`LEFTARG = ${ctx.sql(o.left)}`);
  parts.push(`RIGHTARG = ${ctx.sql(o.right)}`, `FUNCTION = ${ctx.sql(o.function)}`);
  // A commutator or negator that does not exist yet is declared by this statement (as a shell) and
  // completed by its own CREATE OPERATOR later, so the pair needs no ordering.
  if (o.commutator) parts.push(`COMMUTATOR = OPERATOR(${operatorName(o.commutator, ctx, carried)})`);
  if (o.negator) parts.push(`NEGATOR = OPERATOR(${operatorName(o.negator, ctx, carried)})`);
  if (o.restrict !== undefined) parts.push(`RESTRICT = ${ctx.sql(o.restrict)}`);
  if (o.join !== undefined) parts.push(`JOIN = ${ctx.sql(o.join)}`);
  if (o.hashes) parts.push("HASHES");
  if (o.merges) parts.push("MERGES");
  return `CREATE OPERATOR ${operatorName(o, ctx, carried)} (${parts.join(", ")})`;
}

function operatorItem(m: OperatorMember, ctx: RenderContext, carried: CarriedOperators): string {
  const orderBy = m.orderBy ? ` FOR ORDER BY ${ctx.sql(qualify(m.orderBy.schema, m.orderBy.name))}` : "";
  return `OPERATOR ${m.strategy} ${operatorName(m.operator, ctx, carried)} (${ctx.sql(m.left)}, ${ctx.sql(m.right)})${orderBy}`;
}

function functionItem(f: SupportFunction, ctx: RenderContext): string {
  return `FUNCTION ${f.number} (${ctx.sql(f.left)}, ${ctx.sql(f.right)}) ${ctx.sql(f.function)}`;
}

export function createOperatorClass(c: OperatorClass, ctx: RenderContext, carried: CarriedOperators): string {
  const items = [
    ...c.operators.map((m) => operatorItem(m, ctx, carried)),
    ...c.functions.map((f) => functionItem(f, ctx)),
    ...(c.storage !== undefined ? [`STORAGE ${ctx.sql(c.storage)}`] : []),
  ];
  // The grammar wants at least one item; STORAGE of the indexed type itself says nothing new.
  if (items.length === 0) items.push(`STORAGE ${ctx.sql(c.type)}`);
  const family = ctx.sql(qualify(c.family.schema, c.family.name));
  return `CREATE OPERATOR CLASS ${ctx.staged(c)}${c.isDefault ? " DEFAULT" : ""} FOR TYPE ${ctx.sql(c.type)} USING ${quoteIdent(c.method)} FAMILY ${family} AS\n  ${items.join(",\n  ")}`;
}

/**
 * A family, then the classes in it, then the members added to the family outside any class: the
 * family is always created explicitly (as pg_dump does), so that each class can name it.
 */
export function createOperatorFamily(
  f: OperatorFamily,
  classes: readonly OperatorClass[],
  ctx: RenderContext,
  carried: CarriedOperators,
): string[] {
  const name = ctx.staged(f);
  const method = quoteIdent(f.method);
  const loose = [
    ...f.operators.map((m) => operatorItem(m, ctx, carried)),
    ...f.functions.map((m) => functionItem(m, ctx)),
  ];
  return [
    `CREATE OPERATOR FAMILY ${name} USING ${method}`,
    ...classes.map((c) => createOperatorClass(c, ctx, carried)),
    ...(loose.length > 0
      ? [`ALTER OPERATOR FAMILY ${name} USING ${method} ADD\n  ${loose.join(",\n  ")}`]
      : []),
  ];
}

/**
 * Members the source added to a family the run does not create (a built-in or an extension's
 * family): ALTER OPERATOR FAMILY ... ADD on the destination's own family, naming the staged
 * operators and functions, which carry the members with them when the cut-over moves them.
 */
export function addFamilyMembers(f: OperatorFamily, ctx: RenderContext, carried: CarriedOperators): string {
  const members = [
    ...f.operators.map((m) => operatorItem(m, ctx, carried)),
    ...f.functions.map((m) => functionItem(m, ctx)),
  ];
  return `ALTER OPERATOR FAMILY ${qualify(f.schema, f.name)} USING ${quoteIdent(f.method)} ADD\n  ${members.join(",\n  ")}`;
}

/**
 * A shell operator cannot be created on its own: it is declared as the negator of a stand-in
 * operator (over a stand-in function), which is dropped again, leaving the shell as on the source.
 */
export function createShellOperator(
  o: ShellOperator,
  ctx: RenderContext,
  carried: CarriedOperators,
): string[] {
  const schema = quoteIdent(ctx.stage(o).schema);
  const args = [...(o.left !== undefined ? [ctx.sql(o.left)] : []), ctx.sql(o.right)];
  const standIn = `${schema}.pgsync_shell_operator`;
  const op = `${schema}.#@#@#`;
  const sides = `${o.left !== undefined ? `LEFTARG = ${args[0]}, ` : ""}RIGHTARG = ${ctx.sql(o.right)}`;
  const signature = o.left !== undefined ? args.join(", ") : `NONE, ${args[0]}`;
  return [
    `CREATE FUNCTION ${standIn}(${args.join(", ")}) RETURNS boolean LANGUAGE sql AS 'SELECT NULL::boolean'`,
    `CREATE OPERATOR ${op} (${sides}, FUNCTION = ${standIn}, NEGATOR = OPERATOR(${operatorName(o, ctx, carried)}))`,
    `DROP OPERATOR ${op} (${signature})`,
    `DROP FUNCTION ${standIn}(${args.join(", ")})`,
  ];
}
