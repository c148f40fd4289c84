import { PgsyncError } from "../errors.js";

export { int, num, oid, queryRows, text, textArray, textOrNull } from "../db/rows.js";

/** The predicate that hides objects created by an extension: the extension creates them, never us. */
export const NOT_EXTENSION_MEMBER = (classTable: string, oidExpr: string) =>
  `NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend ext_dep WHERE ext_dep.classid = '${classTable}'::regclass AND ext_dep.objid = ${oidExpr} AND ext_dep.deptype = 'e')`;

/** A source catalog that does not hold together (a row refers to one that is missing), naming the object. */
export function catalogError(object: string, problem: string): PgsyncError {
  return new PgsyncError("internal", `${object} on the source: ${problem}`, { object, side: "source" });
}
