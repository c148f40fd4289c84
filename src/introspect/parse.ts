/**
 * Raw catalog rows to domain objects: catalog codes are decoded once, in the parse function beside
 * each kind's query (queries/*.ts). This module gathers them for callers that parse rows directly.
 */
export { parseAccessMethod } from "./queries/access-methods.js";
export { parseCast } from "./queries/casts.js";
export { parseCollation } from "./queries/collations.js";
export { parseColumn } from "./queries/columns.js";
export { parseConstraint } from "./queries/constraints.js";
export { parseForeignServer, parseForeignTable } from "./queries/foreign-tables.js";
export { parseIndex } from "./queries/indexes.js";
export { parseOperator, parseOperatorClass, parseOperatorFamily } from "./queries/operators.js";
export { parseAggregate, parseRoutine } from "./queries/routines.js";
export { parseRule } from "./queries/rules.js";
export { parseSequence } from "./queries/sequences.js";
export { parseStatistics } from "./queries/statistics.js";
export { parsePolicy, parseTrigger } from "./queries/table-objects.js";
export { parseTable } from "./queries/tables.js";
export { parseTextSearchConfiguration, parseTextSearchDictionary } from "./queries/text-search.js";
export { parseComposite, parseDomain, parseRange } from "./queries/types.js";
export { parseView } from "./queries/views.js";
