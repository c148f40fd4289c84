/**
 * The typed catalog model: what introspection produces and what planning consumes. Every object is
 * readonly and carries the names exactly as the catalog has them (unquoted). One module per
 * concern under model/; this one is the model's single entry point.
 */
export type * from "./model/catalog.js";
export type * from "./model/routines.js";
export type * from "./model/tables.js";
export type * from "./model/types.js";
