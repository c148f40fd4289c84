/**
 * The comparable form of a model, for round-trip tests: one entry per object (see
 * src/verify/schema-diff.ts), each with its properties, so a failing comparison names the objects
 * and properties that differ.
 */
import type { CatalogModel } from "../../src/introspect/model.js";
import { describeObjects } from "../../src/verify/schema-diff.js";

export function normalizeModel(model: CatalogModel): Record<string, Record<string, unknown>> {
  return Object.fromEntries(
    [...describeObjects(model)].map(([name, props]) => [
      name,
      Object.fromEntries([...props.values].map(([k, v]) => [k, JSON.parse(v)])),
    ]),
  );
}
