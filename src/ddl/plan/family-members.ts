import type { CatalogModel, OperatorFamily } from "../../introspect/model.js";
import { qualify } from "../../sql/quote.js";
import type { RenderContext } from "../render/context.js";
import { addFamilyMembers, type CarriedOperators } from "../render/operators.js";
import type { Refusal } from "../version-rules.js";
import { type DdlItem, item } from "./item.js";

const label = (f: OperatorFamily) => `operator family ${qualify(f.schema, f.name)} USING ${f.method}`;

/**
 * Members added to families the run does not create, in pre-data after the operators, functions
 * and types they name (pg_depend's entries of the members are folded onto the family's key).
 */
export function familyMemberItems(
  model: CatalogModel,
  ctx: RenderContext,
  carried: CarriedOperators,
): DdlItem[] {
  return (model.familyMembers ?? []).map((f) =>
    item({
      key: `pg_opfamily:${f.oid}`,
      kind: "operator family",
      phase: "pre",
      statements: [{ object: `members of ${label(f)}`, sql: addFamilyMembers(f, ctx, carried) }],
    }),
  );
}

/**
 * Only a superuser may add members to a family the destination's bootstrap superuser (or an
 * extension) owns: for any other role each such family is refused, with the members it would lose.
 */
export function familyMemberRefusals(model: CatalogModel, superuser: boolean | undefined): Refusal[] {
  if (superuser !== false) return [];
  return (model.familyMembers ?? []).map((f) => {
    const members = [
      ...f.operators.map(
        (m) => `operator ${m.strategy} ${m.operator.schema}.${m.operator.name}(${m.left}, ${m.right})`,
      ),
      ...f.functions.map((m) => `function ${m.number} ${m.function}`),
    ];
    return {
      object: label(f),
      reason: `the source added ${members.join("; ")} to it, and only a superuser may add members to a family the run does not create`,
    };
  });
}
