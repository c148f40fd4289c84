export { int, num, oid, queryRows, text, textArray, textOrNull } from "../db/rows.js";

/** The predicate that hides objects created by an extension: the extension creates them, never us. */
export const NOT_EXTENSION_MEMBER = (classTable: string, oidExpr: string) =>
  `NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend ext_dep WHERE ext_dep.classid = '${classTable}'::regclass AND ext_dep.objid = ${oidExpr} AND ext_dep.deptype = 'e')`;
