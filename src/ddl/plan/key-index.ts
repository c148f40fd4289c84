import type { Constraint } from "../../introspect/model.js";
import { describeObject } from "../../sql/describe.js";
import { quoteIdent } from "../../sql/quote.js";
import type { RenderContext } from "../render/context.js";
import { identName, isIdent, type Token, tokenize } from "../sql-tokens.js";
import type { Statement } from "./types.js";

/**
 * A plain table's primary key or unique constraint in two statements: `CREATE UNIQUE INDEX` with
 * the constraint's index name and storage parameters, which takes a SHARE lock and so builds beside
 * the table's other indexes, then `ALTER TABLE ... ADD CONSTRAINT ... USING INDEX`, which turns that
 * index into the constraint (catalog only; its columns are NOT NULL already). The result is the
 * catalog `ADD CONSTRAINT` would give: the same index (unique, NULLS NOT DISTINCT, INCLUDE,
 * reloptions), marked primary and, for a deferrable key, not immediate.
 *
 * Undefined when the definition holds anything but columns, INCLUDE and the deferral clauses (a
 * temporal key's WITHOUT OVERLAPS builds a GiST index, which USING INDEX does not take): that
 * constraint keeps its single ADD CONSTRAINT.
 */
export interface KeyIndex {
  readonly index: Statement;
  readonly attach: Statement;
}

const DEFERRAL = new Set(["deferrable", "not deferrable", "initially deferred", "initially immediate"]);

export function keyIndex(c: Constraint, ctx: RenderContext): KeyIndex | undefined {
  if ((c.kind !== "primary key" && c.kind !== "unique") || c.notValid) return undefined;
  const words = tokenize(ctx.sql(c.definition)).filter((t) => t.kind !== "space" && t.kind !== "comment");
  let at = 0;
  const word = (...names: string[]) => {
    const ok = names.every((n, i) => {
      const t = words[at + i];
      return t?.kind === "ident" && identName(t) === n;
    });
    if (ok) at += names.length;
    return ok;
  };
  const head = c.kind === "primary key" ? word("primary", "key") : word("unique");
  if (!head) return undefined;
  const nullsNotDistinct = c.kind === "unique" && word("nulls", "not", "distinct");
  const columns = columnList(words, at);
  if (!columns) return undefined;
  at = columns.end;
  let include: string[] | undefined;
  if (word("include")) {
    const list = columnList(words, at);
    if (!list) return undefined;
    include = list.names.map(quoteIdent);
    at = list.end;
  }
  const deferral: string[] = [];
  while (at < words.length) {
    const pair = words
      .slice(at, at + 2)
      .map((t) => (t.kind === "ident" ? identName(t) : ""))
      .join(" ");
    const one = pair.split(" ")[0] ?? "";
    if (DEFERRAL.has(pair)) {
      deferral.push(pair.toUpperCase());
      at += 2;
    } else if (DEFERRAL.has(one)) {
      deferral.push(one.toUpperCase());
      at += 1;
    } else return undefined;
  }
  const name = c.index ?? c.name;
  const table = ctx.staged(c.table);
  const options = c.indexOptions && c.indexOptions.length > 0 ? ` WITH (${c.indexOptions.join(", ")})` : "";
  const constraint = describeObject("constraint", c.name, { on: c.table });
  return {
    index: {
      object: `${describeObject("index", [c.table.schema, name])} of ${constraint}`,
      sql:
        `CREATE UNIQUE INDEX ${quoteIdent(name)} ON ${table} USING btree (${columns.names.map(quoteIdent).join(", ")})` +
        `${include ? ` INCLUDE (${include.join(", ")})` : ""}${nullsNotDistinct ? " NULLS NOT DISTINCT" : ""}${options}`,
      build: { kind: "index", method: "btree" },
    },
    attach: {
      object: constraint,
      sql:
        `ALTER TABLE ${table} ADD CONSTRAINT ${quoteIdent(c.name)} ${c.kind === "primary key" ? "PRIMARY KEY" : "UNIQUE"}` +
        ` USING INDEX ${quoteIdent(name)}${deferral.map((d) => ` ${d}`).join("")}`,
      build: { kind: "attach" },
    },
  };
}

/**
 * The key columns of a primary key or unique constraint, as names (`PRIMARY KEY (a, "B")` gives
 * a, B); undefined for any other kind, or a list that holds more than column names.
 */
export function keyColumns(c: Constraint): string[] | undefined {
  if (c.kind !== "primary key" && c.kind !== "unique") return undefined;
  const words = tokenize(c.definition).filter((t) => t.kind !== "space" && t.kind !== "comment");
  const open = words.findIndex((t) => t.text === "(");
  return open < 0 ? undefined : columnList(words, open)?.names;
}

/** `( name, name, ... )` at `from`: the names, and where the list ends; undefined for anything else. */
function columnList(words: readonly Token[], from: number): { names: string[]; end: number } | undefined {
  if (words[from]?.text !== "(") return undefined;
  const names: string[] = [];
  let at = from + 1;
  for (;;) {
    const t = words[at];
    if (!isIdent(t)) return undefined;
    names.push(identName(t));
    const next = words[at + 1]?.text;
    at += 2;
    if (next === ")") return { names, end: at };
    if (next !== ",") return undefined;
  }
}
