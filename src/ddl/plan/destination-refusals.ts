import type { CatalogModel, Extension } from "../../introspect/model.js";
import { describeObject } from "../../sql/describe.js";
import type { Refusal } from "../version-rules.js";

/**
 * What the destination's server has, asked of it in the plan step (no version decides these: a
 * build option, an installed package, an object made by hand).
 */
export interface DestinationCapabilities {
  readonly extensions: DestinationExtensions;
  /** Procedural languages (pg_language). */
  readonly languages: ReadonlySet<string>;
  /** TOAST compression methods the server was built with (default_toast_compression's values). */
  readonly compressionMethods: ReadonlySet<string>;
}

export interface DestinationExtensions {
  /** Installed extensions by name, with their schema. */
  readonly installed: ReadonlyMap<string, { readonly schema: string }>;
  /** Extensions the server could create (pg_available_extensions). */
  readonly available: ReadonlySet<string>;
}

/** Everything of the model the destination's server cannot give the copy, refused before anything is written. */
export function destinationRefusals(
  model: CatalogModel,
  destination: DestinationCapabilities | undefined,
): Refusal[] {
  if (!destination) return [];
  return [
    ...extensionRefusals(model.extensions, destination.extensions),
    ...languageRefusals(model, destination.languages),
    ...compressionRefusals(model, destination.compressionMethods),
  ];
}

/**
 * The source's extensions the destination cannot give: one its server does not have, and one
 * installed there in another schema (the copied objects name the source's schema). The plan
 * refuses them before the create-staging step creates any missing extension, so that a run refused
 * for one extension has not created another; that step asks again (src/pipeline/extensions.ts).
 */
export function extensionRefusals(
  extensions: readonly Extension[],
  destination: DestinationExtensions,
): Refusal[] {
  return extensions.flatMap((ext): Refusal[] => {
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

/**
 * Routines written in a language the destination does not have. A procedural language made by hand
 * (CREATE LANGUAGE ... HANDLER) belongs to the database, not to a schema, and a run does not create
 * one: its handler would be one of the synced functions, which the next run moves into a snapshot.
 * One an extension of the sync brings (plperl, plpython3u: the extension has the language's name)
 * is created with the extension.
 */
function languageRefusals(model: CatalogModel, languages: ReadonlySet<string>): Refusal[] {
  const byExtension = new Set(model.extensions.map((e) => e.name));
  return model.routines
    .filter((r) => r.kind !== "aggregate" && !languages.has(r.language) && !byExtension.has(r.language))
    .map((r) => ({
      object: describeObject(r.kind, r, { args: r.identityArgs }),
      reason: `it is written in language ${r.language}, which the destination does not have; create the language there first (CREATE LANGUAGE, or the extension that brings it)`,
    }));
}

/** Columns compressed with a method (`COMPRESSION lz4`) the server was built without: SET COMPRESSION would fail. */
function compressionRefusals(model: CatalogModel, methods: ReadonlySet<string>): Refusal[] {
  return model.tables.flatMap((t) =>
    t.columns
      .filter((c) => c.compression !== undefined && !methods.has(c.compression))
      .map((c) => ({
        object: describeObject("column", [t.schema, t.name, c.name]),
        reason: `it is compressed with ${c.compression}, which the destination's server was built without (it has ${[...methods].join(", ")}); set another method on the source (ALTER TABLE ... ALTER COLUMN ... SET COMPRESSION pglz) or use a server built with ${c.compression}`,
      })),
  );
}
