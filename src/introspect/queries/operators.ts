import type pg from "pg";
import { z } from "zod";
import type {
  Operator,
  OperatorClass,
  OperatorFamily,
  OperatorMember,
  ShellOperator,
  SupportFunction,
} from "../model.js";
import { int, NOT_EXTENSION_MEMBER, oid, queryRows, text, textOrNull } from "../rows.js";

// Operators. Shell operators (named as a commutator or negator but never defined: oprcode = 0) are
// not read: the operator that names one declares it again. Function names come from regproc, which
// qualifies them unless they are in pg_catalog (introspection runs with search_path = pg_catalog).
const OPERATORS_SQL = `
SELECT o.oid, n.nspname AS schema, o.oprname AS name,
       CASE WHEN o.oprleft <> 0 THEN pg_catalog.format_type(o.oprleft, NULL) END AS left_type,
       pg_catalog.format_type(o.oprright, NULL) AS right_type,
       pg_catalog.format_type(o.oprresult, NULL) AS result_type,
       o.oprcode::pg_catalog.regproc::text AS function,
       cn.nspname AS commutator_schema, com.oprname AS commutator_name,
       nn.nspname AS negator_schema, neg.oprname AS negator_name,
       CASE WHEN o.oprrest <> 0 THEN o.oprrest::pg_catalog.regproc::text END AS restrict_function,
       CASE WHEN o.oprjoin <> 0 THEN o.oprjoin::pg_catalog.regproc::text END AS join_function,
       o.oprcanhash AS hashes, o.oprcanmerge AS merges
FROM pg_catalog.pg_operator o
JOIN pg_catalog.pg_namespace n ON n.oid = o.oprnamespace
LEFT JOIN pg_catalog.pg_operator com ON com.oid = o.oprcom
LEFT JOIN pg_catalog.pg_namespace cn ON cn.oid = com.oprnamespace
LEFT JOIN pg_catalog.pg_operator neg ON neg.oid = o.oprnegate
LEFT JOIN pg_catalog.pg_namespace nn ON nn.oid = neg.oprnamespace
WHERE o.oprnamespace = ANY($1::oid[]) AND o.oprcode <> 0
  AND ${NOT_EXTENSION_MEMBER("pg_catalog.pg_operator", "o.oid")}
ORDER BY n.nspname, o.oprname, 4, 5`;

export const OperatorRow = z.object({
  oid,
  schema: text,
  name: text,
  left_type: textOrNull,
  right_type: text,
  result_type: text,
  function: text,
  commutator_schema: textOrNull,
  commutator_name: textOrNull,
  negator_schema: textOrNull,
  negator_name: textOrNull,
  restrict_function: textOrNull,
  join_function: textOrNull,
  hashes: z.boolean(),
  merges: z.boolean(),
});
export type OperatorRow = z.infer<typeof OperatorRow>;

export function readOperators(client: pg.Client, schemaOids: readonly number[]): Promise<OperatorRow[]> {
  return queryRows(client, "operators", OPERATORS_SQL, [schemaOids], OperatorRow);
}

/**
 * The operators and support functions of an operator class or family. A member belongs to a class
 * when pg_depend ties it to the class, and is a "loose" member of the family (added with ALTER
 * OPERATOR FAMILY ... ADD) when it is tied to the family itself.
 */
const MEMBERS = (owner: "pg_opclass" | "pg_opfamily", ownerOid: string) => `
       coalesce((SELECT json_agg(json_build_object(
                   'strategy', ao.amopstrategy, 'schema', opn.nspname, 'name', op.oprname,
                   'left', pg_catalog.format_type(ao.amoplefttype, NULL), 'right', pg_catalog.format_type(ao.amoprighttype, NULL),
                   'order_by_schema', sfn.nspname, 'order_by_name', sf.opfname)
                   ORDER BY ao.amopstrategy, ao.amoplefttype, ao.amoprighttype)
                 FROM pg_catalog.pg_amop ao
                 JOIN pg_catalog.pg_depend dep ON dep.classid = 'pg_catalog.pg_amop'::regclass AND dep.objid = ao.oid
                      AND dep.refclassid = 'pg_catalog.${owner}'::regclass AND dep.refobjid = ${ownerOid}
                 JOIN pg_catalog.pg_operator op ON op.oid = ao.amopopr
                 JOIN pg_catalog.pg_namespace opn ON opn.oid = op.oprnamespace
                 LEFT JOIN pg_catalog.pg_opfamily sf ON sf.oid = ao.amopsortfamily
                 LEFT JOIN pg_catalog.pg_namespace sfn ON sfn.oid = sf.opfnamespace), '[]') AS operators,
       coalesce((SELECT json_agg(json_build_object(
                   'number', ap.amprocnum, 'left', pg_catalog.format_type(ap.amproclefttype, NULL),
                   'right', pg_catalog.format_type(ap.amprocrighttype, NULL),
                   'function', ap.amproc::pg_catalog.regprocedure::text)
                   ORDER BY ap.amprocnum, ap.amproclefttype, ap.amprocrighttype)
                 FROM pg_catalog.pg_amproc ap
                 JOIN pg_catalog.pg_depend dep ON dep.classid = 'pg_catalog.pg_amproc'::regclass AND dep.objid = ap.oid
                      AND dep.refclassid = 'pg_catalog.${owner}'::regclass AND dep.refobjid = ${ownerOid}), '[]') AS functions`;

/** The members column pair that MEMBERS() selects, as rows (classes, families, family members). */
export const MemberRows = {
  operators: z.array(
    z.object({
      strategy: int,
      schema: text,
      name: text,
      left: text,
      right: text,
      order_by_schema: textOrNull,
      order_by_name: textOrNull,
    }),
  ),
  functions: z.array(z.object({ number: int, left: text, right: text, function: text })),
};

const CLASSES_SQL = `
SELECT c.oid, n.nspname AS schema, c.opcname AS name, am.amname AS method,
       pg_catalog.format_type(c.opcintype, NULL) AS type, c.opcdefault AS is_default,
       fn.nspname AS family_schema, f.opfname AS family_name,
       CASE WHEN c.opckeytype <> 0 THEN pg_catalog.format_type(c.opckeytype, NULL) END AS storage,
       ${MEMBERS("pg_opclass", "c.oid")}
FROM pg_catalog.pg_opclass c
JOIN pg_catalog.pg_namespace n ON n.oid = c.opcnamespace
JOIN pg_catalog.pg_am am ON am.oid = c.opcmethod
JOIN pg_catalog.pg_opfamily f ON f.oid = c.opcfamily
JOIN pg_catalog.pg_namespace fn ON fn.oid = f.opfnamespace
WHERE c.opcnamespace = ANY($1::oid[]) AND ${NOT_EXTENSION_MEMBER("pg_catalog.pg_opclass", "c.oid")}
ORDER BY n.nspname, c.opcname, am.amname`;

export const OperatorClassRow = z.object({
  oid,
  schema: text,
  name: text,
  method: text,
  type: text,
  is_default: z.boolean(),
  family_schema: text,
  family_name: text,
  storage: textOrNull,
  ...MemberRows,
});
export type OperatorClassRow = z.infer<typeof OperatorClassRow>;

export function readOperatorClasses(
  client: pg.Client,
  schemaOids: readonly number[],
): Promise<OperatorClassRow[]> {
  return queryRows(client, "operator classes", CLASSES_SQL, [schemaOids], OperatorClassRow);
}

const FAMILIES_SQL = `
SELECT f.oid, n.nspname AS schema, f.opfname AS name, am.amname AS method,
       ${MEMBERS("pg_opfamily", "f.oid")}
FROM pg_catalog.pg_opfamily f
JOIN pg_catalog.pg_namespace n ON n.oid = f.opfnamespace
JOIN pg_catalog.pg_am am ON am.oid = f.opfmethod
WHERE f.opfnamespace = ANY($1::oid[]) AND ${NOT_EXTENSION_MEMBER("pg_catalog.pg_opfamily", "f.oid")}
ORDER BY n.nspname, f.opfname, am.amname`;

export const OperatorFamilyRow = z.object({ oid, schema: text, name: text, method: text, ...MemberRows });
export type OperatorFamilyRow = z.infer<typeof OperatorFamilyRow>;

export function readOperatorFamilies(
  client: pg.Client,
  schemaOids: readonly number[],
): Promise<OperatorFamilyRow[]> {
  return queryRows(client, "operator families", FAMILIES_SQL, [schemaOids], OperatorFamilyRow);
}

export function parseOperator(r: OperatorRow): Operator {
  return {
    oid: r.oid,
    schema: r.schema,
    name: r.name,
    right: r.right_type,
    result: r.result_type,
    function: r.function,
    hashes: r.hashes,
    merges: r.merges,
    ...(r.left_type !== null ? { left: r.left_type } : {}),
    ...(r.commutator_schema !== null && r.commutator_name !== null
      ? { commutator: { schema: r.commutator_schema, name: r.commutator_name } }
      : {}),
    ...(r.negator_schema !== null && r.negator_name !== null
      ? { negator: { schema: r.negator_schema, name: r.negator_name } }
      : {}),
    ...(r.restrict_function !== null ? { restrict: r.restrict_function } : {}),
    ...(r.join_function !== null ? { join: r.join_function } : {}),
  };
}

/** An operator class's or family's members, as the model holds them. */
export function parseMembers(r: Pick<OperatorClassRow, "operators" | "functions">): {
  operators: OperatorMember[];
  functions: SupportFunction[];
} {
  return {
    operators: r.operators.map((o) => ({
      strategy: o.strategy,
      operator: { schema: o.schema, name: o.name },
      left: o.left,
      right: o.right,
      ...(o.order_by_schema !== null && o.order_by_name !== null
        ? { orderBy: { schema: o.order_by_schema, name: o.order_by_name } }
        : {}),
    })),
    functions: r.functions.map((f) => ({
      number: f.number,
      left: f.left,
      right: f.right,
      function: f.function,
    })),
  };
}

export function parseOperatorClass(r: OperatorClassRow): OperatorClass {
  return {
    oid: r.oid,
    schema: r.schema,
    name: r.name,
    method: r.method,
    type: r.type,
    isDefault: r.is_default,
    family: { schema: r.family_schema, name: r.family_name },
    ...(r.storage !== null ? { storage: r.storage } : {}),
    ...parseMembers(r),
  };
}

export function parseOperatorFamily(r: OperatorFamilyRow): OperatorFamily {
  return { oid: r.oid, schema: r.schema, name: r.name, method: r.method, ...parseMembers(r) };
}

// Shell operators (oprcode 0: named as a commutator or negator, never defined) that no defined
// operator of the synced schemas names, and so would not be declared again by one.
const SHELLS_SQL = `
SELECT o.oid, n.nspname AS schema, o.oprname AS name,
       CASE WHEN o.oprleft <> 0 THEN pg_catalog.format_type(o.oprleft, NULL) END AS left_type,
       pg_catalog.format_type(o.oprright, NULL) AS right_type
FROM pg_catalog.pg_operator o
JOIN pg_catalog.pg_namespace n ON n.oid = o.oprnamespace
WHERE o.oprnamespace = ANY($1::oid[]) AND o.oprcode = 0
  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_operator d
                  WHERE d.oprcode <> 0 AND d.oprnamespace = ANY($1::oid[]) AND o.oid IN (d.oprcom, d.oprnegate))
  AND ${NOT_EXTENSION_MEMBER("pg_catalog.pg_operator", "o.oid")}
ORDER BY n.nspname, o.oprname, 4, 5`;

export const ShellOperatorRow = z.object({
  oid,
  schema: text,
  name: text,
  left_type: textOrNull,
  right_type: text,
});
export type ShellOperatorRow = z.infer<typeof ShellOperatorRow>;

export function readShellOperators(
  client: pg.Client,
  schemaOids: readonly number[],
): Promise<ShellOperatorRow[]> {
  return queryRows(client, "shell operators", SHELLS_SQL, [schemaOids], ShellOperatorRow);
}

export function parseShellOperator(r: ShellOperatorRow): ShellOperator {
  return {
    oid: r.oid,
    schema: r.schema,
    name: r.name,
    right: r.right_type,
    ...(r.left_type !== null ? { left: r.left_type } : {}),
  };
}
