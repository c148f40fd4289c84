/**
 * The comparable form of a model, for round-trip tests: one entry per object (see
 * src/verify/schema-diff.ts), so a failing comparison names the objects that differ.
 */
import type { CatalogModel } from "../../src/introspect/model.js";
import { describeObjects } from "../../src/verify/schema-diff.js";

export function normalizeModel(model: CatalogModel): Record<string, unknown> {
  return Object.fromEntries([...describeObjects(model)].map(([name, json]) => [name, JSON.parse(json)]));
}
