import { genericLines } from "../generic.js";
import { notExtensionMember, type OracleContext } from "../session.js";

/** Every column of pg_operator, operators and types by name. */
export function operatorLines(ctx: OracleContext): Promise<string[]> {
  return genericLines(ctx, "operator.attributes", {
    catalog: "pg_operator",
    identity: "x.oid::regoperator::text",
    where: `x.oprnamespace = ANY($1::oid[]) AND ${notExtensionMember("pg_operator", "x.oid")}`,
    refs: {
      oid: "skip",
      oprname: "skip",
      oprnamespace: "skip",
      oprowner: "skip",
      oprleft: "type",
      oprright: "type",
      oprresult: "type",
      oprcom: "oper",
      oprnegate: "oper",
    },
  });
}
