import type { QualifiedName } from "../../introspect/model.js";
import { hasFeature } from "../../sql/features.js";
import { qualify } from "../../sql/quote.js";
import { requalify, requalifyName, type SchemaMapper } from "../requalify.js";
import { withoutNoIndent } from "../xml-serialize.js";

/**
 * What every renderer needs: where a source object is staged, and how to rewrite deparsed SQL so
 * that references to staged objects point at their staging schema.
 */
export interface RenderContext {
  readonly targetMajor: number;
  /** The staging name of a source object. */
  stage(o: QualifiedName): QualifiedName;
  /** `"staging"."name"` of a source object. */
  staged(o: QualifiedName): string;
  /**
   * Deparsed SQL with references to staged objects rewritten (and, for 14 and 15, XMLSERIALIZE's
   * NO INDENT dropped).
   */
  sql(text: string): string;
  /**
   * Deparsed SQL for the live schemas, as the cut-over runs it: only what the destination's version
   * needs rewritten (14 and 15: XMLSERIALIZE's NO INDENT dropped), no staging names.
   */
  live(text: string): string;
  /**
   * Text whose names of staged objects are pointed at the staging schema, and nothing else: a reg*
   * value as its output function prints it (`app.users`, `app.f(integer,app.t)`; `operator` for
   * regoper and regoperator values), or a function body.
   */
  stageNames(text: string, operator: boolean): string;
  /** Whether the plan creates this object under a staging schema. */
  isStaged(o: QualifiedName): boolean;
}

export function renderContext(
  targetMajor: number,
  stagingOf: ReadonlyMap<string, string>,
  stagedNames: ReadonlySet<string>,
): RenderContext {
  const key = (schema: string, name: string) => `${schema}\u0000${name}`;
  const mapper: SchemaMapper = (schema, name) =>
    stagedNames.has(key(schema, name)) ? stagingOf.get(schema) : undefined;
  const portable = hasFeature(targetMajor, "XMLSERIALIZE ... [NO] INDENT")
    ? (text: string) => text
    : (text: string) => withoutNoIndent(text);
  const stage = (o: QualifiedName): QualifiedName => ({
    schema: stagingOf.get(o.schema) ?? o.schema,
    name: o.name,
  });
  return {
    targetMajor,
    stage,
    staged: (o) => {
      const s = stage(o);
      return qualify(s.schema, s.name);
    },
    // 14 and 15 cannot parse the NO INDENT that 16 and later print in XMLSERIALIZE (their default).
    sql: (text) => portable(requalify(text, mapper)),
    live: portable,
    stageNames: (text, operator) => requalifyName(text, mapper, operator),
    isStaged: (o) => mapper(o.schema, o.name) !== undefined,
  };
}

export function stagedKey(schema: string, name: string): string {
  return `${schema}\u0000${name}`;
}
