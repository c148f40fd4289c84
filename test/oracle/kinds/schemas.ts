import { formatLine } from "../line.js";
import type { OracleContext } from "../session.js";

/** Each looked-at schema exists (their owners and grants are in privileges.ts). */
export async function schemaLines(ctx: OracleContext): Promise<string[]> {
  return ctx.schemaNames.map((name) => formatLine("schema", name, "", "exists"));
}
