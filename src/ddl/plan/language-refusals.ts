import type { CatalogModel } from "../../introspect/model.js";
import { describeObject } from "../../sql/describe.js";
import type { Refusal } from "../version-rules.js";

/**
 * Routines written in a language the destination does not have. A procedural language made by hand
 * (CREATE LANGUAGE ... HANDLER) belongs to the database, not to a schema, and a run does not create
 * one: its handler would be one of the synced functions, which the next run moves into a snapshot.
 * One an extension of the sync brings (plperl, plpython3u: the extension has the language's name)
 * is created with the extension. Any other is refused here, naming each routine, instead of
 * failing while the staging is built.
 */
export function languageRefusals(model: CatalogModel, languages: ReadonlySet<string> | undefined): Refusal[] {
  if (!languages) return [];
  const byExtension = new Set(model.extensions.map((e) => e.name));
  return model.routines
    .filter((r) => r.kind !== "aggregate" && !languages.has(r.language) && !byExtension.has(r.language))
    .map((r) => ({
      object: describeObject(r.kind, r, { args: r.identityArgs }),
      reason: `it is written in language ${r.language}, which the destination does not have; create the language there first (CREATE LANGUAGE, or the extension that brings it)`,
    }));
}
