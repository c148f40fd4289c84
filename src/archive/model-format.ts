import type { z } from "zod";
import { PgsyncError } from "../errors.js";
import type { CatalogModel, ServerInfo } from "../introspect/model.js";
import { CATALOG_FORMAT, type contents } from "./manifest.js";
import { catalogObjects } from "./model-format/catalog.js";

/**
 * The catalog model in an archive: a JSON document of its own (docs/archives.md, "The catalog
 * document"), versioned by CATALOG_FORMAT and validated by the zod schemas of ./model-format, not a
 * dump of the model's TypeScript types. Format 1 has the model's field names; its schemas are
 * checked at compile time against the model (./model-format/common.ts, `Mirrors`), so a field
 * added to the model fails the build until the document carries it too. A later model that
 * renames or reshapes a field keeps reading format 1 through these converters.
 *
 * The server facts (`server`) are not part of the document: the manifest's `source` has them.
 */
export type CatalogDocument = z.output<typeof contents>["catalog"];

export function toCatalogDocument(model: CatalogModel): CatalogDocument {
  const { server: _server, ...objects } = model;
  const parsed = catalogObjects.safeParse(objects);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new PgsyncError(
      "internal",
      `the catalog cannot be written to the archive: ${first?.path.join(".")}: ${first?.message}`,
    );
  }
  return { format: CATALOG_FORMAT, objects: parsed.data };
}

/** The model again, with the server facts the manifest recorded. */
export function fromCatalogDocument(document: CatalogDocument, server: ServerInfo): CatalogModel {
  return { server, ...document.objects };
}
