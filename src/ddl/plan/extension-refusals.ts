import type { CatalogModel } from "../../introspect/model.js";
import { describeObject } from "../../sql/describe.js";
import type { Refusal } from "../version-rules.js";

/** What the destination has of the extensions the source uses (asked of it in the plan step). */
export interface DestinationExtensions {
  /** Installed extensions by name, with their schema. */
  readonly installed: ReadonlyMap<string, { readonly schema: string }>;
  /** Extensions the server could create (pg_available_extensions). */
  readonly available: ReadonlySet<string>;
}

/**
 * The source's extensions the destination cannot give the copy: one its server does not have, and
 * one installed there in another schema (the copied objects name the source's schema). Refused in
 * the plan, before the create-staging step creates any missing extension, so that a run refused
 * for one extension has not created another.
 */
export function extensionRefusals(
  model: CatalogModel,
  destination: DestinationExtensions | undefined,
): Refusal[] {
  if (!destination) return [];
  return model.extensions.flatMap((ext): Refusal[] => {
    const object = describeObject("extension", ext.name);
    const installed = destination.installed.get(ext.name);
    if (installed && installed.schema !== ext.schema)
      return [
        {
          object,
          reason: `it is installed in ${describeObject("schema", installed.schema)} on the destination but in ${describeObject("schema", ext.schema)} on the source; objects that use it would not resolve`,
        },
      ];
    if (!installed && !destination.available.has(ext.name))
      return [{ object, reason: "the source uses it, and the destination's server does not have it" }];
    return [];
  });
}
