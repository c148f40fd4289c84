/**
 * An independent fidelity oracle: fingerprints of a database's catalog and data, built from
 * pg_catalog alone. It imports nothing from the tool (src/), so that a property the tool's own
 * introspection never reads is still compared.
 */
export { CATALOG_KINDS, catalogFingerprint } from "./catalog.js";
export { PROPERTY_CLASSES, type PropertyClass, type PropertyClassId } from "./classes.js";
export { dataFingerprint } from "./data.js";
export {
  type ChangedProperty,
  diffClasses,
  diffFingerprints,
  type FingerprintDiff,
  formatDiff,
} from "./diff.js";
export { type FingerprintLine, parseLine } from "./line.js";
export { isToolSchema, type OracleOptions, TOOL_SCHEMA_PATTERNS } from "./session.js";
