import { genericLines } from "../generic.js";
import { formatLine } from "../line.js";
import { notExtensionMember, type OracleContext, rows, userObject } from "../session.js";

const FAMILY = (alias: string) =>
  `(SELECT format('%I.%I USING %I', n.nspname, f.opfname, a.amname) FROM pg_opfamily f
      JOIN pg_namespace n ON n.oid = f.opfnamespace JOIN pg_am a ON a.oid = f.opfmethod WHERE f.oid = ${alias})`;

/** Whether a member belongs to a class (tied to it in pg_depend) or loosely to its family. */
const OWNER = (catalog: string, oid: string) =>
  `COALESCE((SELECT format('class %I.%I', n.nspname, o.opcname) FROM pg_depend d
               JOIN pg_opclass o ON o.oid = d.refobjid JOIN pg_namespace n ON n.oid = o.opcnamespace
              WHERE d.classid = 'pg_catalog.${catalog}'::regclass AND d.objid = ${oid}
                AND d.refclassid = 'pg_catalog.pg_opclass'::regclass), 'family')`;

/**
 * Operator families, classes and their members. A member a user added to a built-in family
 * (ALTER OPERATOR FAMILY pg_catalog... ADD) is compared too.
 */
export async function opfamilyLines(ctx: OracleContext): Promise<string[]> {
  const families = await genericLines(ctx, "opfamily.attributes", {
    catalog: "pg_opfamily",
    identity: FAMILY("x.oid"),
    where: `x.opfnamespace = ANY($1::oid[]) AND ${notExtensionMember("pg_opfamily", "x.oid")}`,
    refs: { oid: "skip", opfname: "skip", opfnamespace: "skip", opfowner: "skip", opfmethod: "skip" },
  });
  const classes = await genericLines(ctx, "opclass.attributes", {
    catalog: "pg_opclass",
    identity: "format('%I.%I USING %I', n.nspname, x.opcname, a.amname)",
    from: "JOIN pg_catalog.pg_namespace n ON n.oid = x.opcnamespace JOIN pg_catalog.pg_am a ON a.oid = x.opcmethod",
    where: `x.opcnamespace = ANY($1::oid[]) AND ${notExtensionMember("pg_opclass", "x.oid")}`,
    refs: {
      oid: "skip",
      opcname: "skip",
      opcnamespace: "skip",
      opcowner: "skip",
      opcmethod: "skip",
      opcfamily: "opfamily",
      opcintype: "type",
      opckeytype: "type",
    },
  });
  // Members users added to built-in families are database-wide: only for a whole-database fingerprint.
  const added = (catalog: string, oid: string) => (ctx.wholeDatabase ? userObject(catalog, oid) : "false");
  const memberOf = (family: string) =>
    `(EXISTS (SELECT FROM pg_opfamily f WHERE f.oid = ${family} AND f.opfnamespace = ANY($1::oid[])))`;
  const operators = await rows<{ fam: string; member: string; value: string }>(
    ctx,
    `SELECT ${FAMILY("m.amopfamily")} AS fam,
            format('operator %s (%s, %s)', m.amopstrategy, format_type(m.amoplefttype, NULL),
                   format_type(m.amoprighttype, NULL)) AS member,
            format('%s purpose=%s sortfamily=%s in %s', m.amopopr::regoperator, m.amoppurpose,
                   COALESCE(${FAMILY("m.amopsortfamily")}, '-'), ${OWNER("pg_amop", "m.oid")}) AS value
       FROM pg_amop m
      WHERE (${memberOf("m.amopfamily")} OR ${added("pg_amop", "m.oid")})
        AND ${notExtensionMember("pg_opfamily", "m.amopfamily")}`,
    [ctx.schemaOids],
  );
  const functions = await rows<{ fam: string; member: string; value: string }>(
    ctx,
    `SELECT ${FAMILY("m.amprocfamily")} AS fam,
            format('function %s (%s, %s)', m.amprocnum, format_type(m.amproclefttype, NULL),
                   format_type(m.amprocrighttype, NULL)) AS member,
            format('%s in %s', m.amproc::oid::regprocedure, ${OWNER("pg_amproc", "m.oid")}) AS value
       FROM pg_amproc m
      WHERE (${memberOf("m.amprocfamily")} OR ${added("pg_amproc", "m.oid")})
        AND ${notExtensionMember("pg_opfamily", "m.amprocfamily")}`,
    [ctx.schemaOids],
  );
  return [
    ...families,
    ...classes,
    ...operators.map((m) => formatLine("opfamily.operator", m.fam, m.member, m.value)),
    ...functions.map((m) => formatLine("opfamily.function", m.fam, m.member, m.value)),
  ];
}
