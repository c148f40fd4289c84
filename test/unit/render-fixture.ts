/**
 * The render context the renderer tests share: schema `app` stages as `_pgsync_stage_test_1`, and a
 * fixed set of its objects is staged (what planSync would stage for the objects the tests render).
 */
import { type RenderContext, renderContext, stagedKey } from "../../src/ddl/render/context.js";

export const MAJORS = [14, 15, 16, 17, 18] as const;

/** The staging schema of `app`, quoted as the renderers print it. */
export const STAGE = '"_pgsync_stage_test_1"';

const STAGED_IN_APP = [
  "orders",
  "orders_id_seq",
  "customers",
  "events",
  "events_2024",
  "status",
  "code",
  "pair",
  "floatrange",
  "floatmultirange",
  "to_status",
  "touch",
  "valid_code",
  "int_eq",
  "cmp",
  "===",
  "!==",
  "!!",
  "<<<",
  "int_ops",
  "int_fam",
  "c",
  "d",
  "cfg",
  "st",
  "ft",
  "v",
  "mv",
];

export function contextFor(major: number): RenderContext {
  return renderContext(
    major,
    new Map([["app", "_pgsync_stage_test_1"]]),
    new Set(STAGED_IN_APP.map((name) => stagedKey("app", name))),
  );
}
