import type { CatalogModel, FunctionRoutine, QualifiedName } from "../../introspect/model.js";
import { quoteLiteral } from "../../sql/quote.js";
import type { RenderContext } from "../render/context.js";
import { identName, isIdent, type Token, tokenize } from "../sql-tokens.js";
import { type ModelIndex, parentsOf } from "./model-index.js";

/**
 * Function bodies written as strings (`AS $$ ... $$`) name objects by text, which the server neither
 * parses nor tracks when the function is created: a body that names `app.limits` reads whatever
 * `app.limits` is when it runs. While the staging is loaded that is the live schema's previous copy,
 * or nothing on a first run, and a CHECK, an index expression, a generated column or a domain check
 * that calls the function sees it. So a function of SQL or PL/pgSQL whose body names objects the run
 * stages is created in staging with those names pointed at the staging schema, and the cut-over
 * replaces it, in the same transaction as the moves, with the source's definition as it is (where
 * the names then resolve to the new live objects): the body the destination ends with is the
 * source's, byte for byte.
 */

/** Languages whose bodies are SQL text that the tokenizer reads. */
const SQL_BODIES = new Set(["sql", "plpgsql"]);

export interface StagedBody {
  /** The CREATE statement run in staging: the body's names of staged objects point at staging. */
  readonly staged: string;
  /** The source's definition, run inside the cut-over once the new objects are live. */
  readonly restore: string;
  /** The staged objects the body names, as the source names them. */
  readonly names: readonly QualifiedName[];
}

/** The body of a routine that names staged objects, rewritten for staging; undefined for any other. */
export function stagedBody(r: FunctionRoutine, ctx: RenderContext): StagedBody | undefined {
  if (!SQL_BODIES.has(r.language)) return undefined;
  const tokens = tokenize(r.definition);
  const at = bodyToken(tokens);
  const body = at === undefined ? undefined : tokens[at];
  if (at === undefined || !body) return undefined;
  const { content, wrap } = unquote(body);
  const names = namedObjects(content).filter((n) => ctx.isStaged(n));
  if (names.length === 0) return undefined;
  const rewritten = ctx.stageNames(content, false);
  const before = tokens
    .slice(0, at)
    .map((t) => t.text)
    .join("");
  const after = tokens
    .slice(at + 1)
    .map((t) => t.text)
    .join("");
  return {
    staged: `${ctx.sql(before)}${wrap(rewritten)}${ctx.sql(after)}`,
    restore: ctx.live(r.definition),
    names,
  };
}

/** The string after the last top-level AS: pg_get_functiondef() prints the body there. */
function bodyToken(tokens: readonly Token[]): number | undefined {
  let found: number | undefined;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (!isIdent(t) || t.kind !== "ident" || identName(t) !== "as") continue;
    let j = i + 1;
    while (tokens[j]?.kind === "space" || tokens[j]?.kind === "comment") j++;
    const next = tokens[j];
    if (next?.kind === "dollar-string" || (next?.kind === "string" && !/^[eE]/.test(next.text))) found = j;
  }
  return found;
}

function unquote(token: Token): { content: string; wrap: (text: string) => string } {
  if (token.kind === "string") {
    return { content: token.text.slice(1, -1).replaceAll("''", "'"), wrap: quoteLiteral };
  }
  const tag = /^\$[^$]*\$/.exec(token.text)?.[0] ?? "$$";
  return {
    content: token.text.slice(tag.length, -tag.length),
    wrap: (text) => {
      // A staging schema's name never holds a dollar quote's tag, but the choice costs nothing.
      let chosen = tag;
      for (let n = 1; text.includes(chosen); n++) chosen = `$pgsync${n}$`;
      return `${chosen}${text}${chosen}`;
    },
  };
}

/** Every `schema.name` the text names (identifiers outside strings and comments). */
function namedObjects(text: string): QualifiedName[] {
  const tokens = tokenize(text);
  const out: QualifiedName[] = [];
  for (let i = 0; i + 2 < tokens.length; i++) {
    const [a, dot, b] = [tokens[i], tokens[i + 1], tokens[i + 2]];
    if (isIdent(a) && dot?.text === "." && isIdent(b)) out.push({ schema: identName(a), name: identName(b) });
  }
  return out;
}

/**
 * What a table's load and its builds must wait for, because a function they evaluate reads other
 * tables by name (src/ddl/plan/function-bodies.ts): `load` for what its COPY computes (generated
 * columns, domain checks), `builds` for its CHECK constraints and index expressions.
 */
export interface BodyWaits {
  readonly load: readonly number[];
  readonly builds: readonly number[];
}

/**
 * For each table: the tables (other than itself) that the functions its load and builds call name
 * in their bodies, directly or through the functions and views they name. A load that would wait in
 * a loop (two tables whose generated columns read each other) drops the edge that closes it, and
 * the plan says so.
 */
export function bodyWaits(
  model: CatalogModel,
  bodies: ReadonlyMap<number, StagedBody>,
  index: ModelIndex,
): { waits: Map<number, BodyWaits>; warnings: string[] } {
  const deps = new Map<string, string[]>();
  for (const d of model.dependencies) {
    const list = deps.get(d.dependent);
    if (list) list.push(d.referenced);
    else deps.set(d.dependent, [d.referenced]);
  }
  const routineByName = new Map<string, number[]>();
  for (const r of model.routines) {
    const key = `${r.schema}\u0000${r.name}`;
    routineByName.set(key, [...(routineByName.get(key) ?? []), r.oid]);
  }
  const viewByName = new Map(model.views.map((v) => [`${v.schema}\u0000${v.name}`, v.oid]));
  const views = new Set(model.views.filter((v) => !v.materialized).map((v) => v.oid));
  const follow = (key: string, kinds: readonly string[]) =>
    (deps.get(key) ?? []).filter((k) => kinds.some((kind) => k.startsWith(kind)));
  /**
   * The tables that evaluating these objects reads: through the functions they call (the tables and
   * functions a staged body names, and what pg_depend records for SQL-standard bodies), the domains
   * whose checks they evaluate, and the views those read. `table` is where the walk starts from a
   * table's own columns (only their types are followed).
   */
  const tablesRead = (start: readonly string[], table?: number): Set<number> => {
    const found = new Set<number>();
    const seen = new Set<string>();
    const pending = [...start];
    for (let key = pending.pop(); key !== undefined; key = pending.pop()) {
      if (seen.has(key)) continue;
      seen.add(key);
      const colon = key.indexOf(":");
      const catalog = key.slice(0, colon);
      const oid = Number(key.slice(colon + 1));
      if (catalog === "pg_proc") {
        for (const n of bodies.get(oid)?.names ?? []) {
          const named = index.relationOid(n);
          if (named !== undefined && index.tableByOid.has(named)) found.add(named);
          const key = `${n.schema}\u0000${n.name}`;
          for (const r of routineByName.get(key) ?? []) pending.push(`pg_proc:${r}`);
          const view = viewByName.get(key);
          if (view !== undefined) pending.push(`pg_class:${view}`);
        }
        pending.push(...follow(key, ["pg_proc:", "pg_class:"]));
      } else if (catalog === "pg_class" && oid === table) {
        pending.push(...follow(key, ["pg_type:"]));
      } else if (catalog === "pg_class" && views.has(oid)) {
        pending.push(...follow(key, ["pg_class:", "pg_proc:"]));
      } else if (catalog === "pg_class" && index.tableByOid.has(oid)) {
        found.add(oid);
      } else {
        // A domain, a column's default, a constraint, an index: the functions and domains it uses.
        pending.push(...follow(key, ["pg_proc:", "pg_type:"]));
      }
    }
    return found;
  };
  // Reading a partitioned table or a parent reads the rows of its partitions and children.
  const children = new Map<number, number[]>();
  for (const t of model.tables) {
    for (const p of parentsOf(t)) {
      const parent = index.relationOid(p);
      if (parent !== undefined) children.set(parent, [...(children.get(parent) ?? []), t.oid]);
    }
  }
  const withDescendants = (tables: Set<number>): Set<number> => {
    const pending = [...tables];
    for (let oid = pending.pop(); oid !== undefined; oid = pending.pop())
      for (const child of children.get(oid) ?? []) {
        if (tables.has(child)) continue;
        tables.add(child);
        pending.push(child);
      }
    return tables;
  };
  const waits = new Map<number, BodyWaits>();
  const loadEdges = new Map<number, Set<number>>();
  for (const t of model.tables) {
    const computed = t.allColumns.filter((c) => c.generated).map((c) => `pg_attrdef:${t.oid}.${c.position}`);
    const load = withDescendants(tablesRead([`pg_class:${t.oid}`, ...computed], t.oid));
    const builds = withDescendants(
      tablesRead([
        ...index.constraintsOf(t.oid).map((c) => `pg_constraint:${c.oid}`),
        ...index.indexesOf(t.oid).map((i) => `pg_class:${i.oid}`),
      ]),
    );
    load.delete(t.oid);
    builds.delete(t.oid);
    if (load.size > 0) loadEdges.set(t.oid, load);
    if (load.size > 0 || builds.size > 0) waits.set(t.oid, { load: [...load], builds: [...builds] });
  }
  const warnings = breakLoadLoops(loadEdges, index);
  for (const [oid, w] of waits) {
    const kept = loadEdges.get(oid);
    waits.set(oid, { ...w, load: w.load.filter((r) => kept?.has(r)) });
  }
  return { waits, warnings };
}

/** Removes the edges that close a loop among load waits (depth-first search), naming each table. */
function breakLoadLoops(edges: Map<number, Set<number>>, index: ModelIndex): string[] {
  const warnings: string[] = [];
  const state = new Map<number, "open" | "done">();
  const name = (oid: number) => {
    const t = index.tableByOid.get(oid);
    return t ? `"${t.schema}"."${t.name}"` : String(oid);
  };
  const visit = (oid: number) => {
    state.set(oid, "open");
    for (const next of [...(edges.get(oid) ?? [])]) {
      if (state.get(next) === "open") {
        edges.get(oid)?.delete(next);
        warnings.push(
          `table ${name(oid)} is loaded without waiting for ${name(next)}: functions their generated columns or domain checks call read each other's rows`,
        );
      } else if (!state.has(next)) visit(next);
    }
    state.set(oid, "done");
  };
  for (const oid of edges.keys()) if (!state.has(oid)) visit(oid);
  return warnings;
}

/**
 * The objects a staged body names, as dependencies of its function (pg_depend has none for a body
 * written as a string): the function is created after them in staging, as the server needs where it
 * plans the body at once (an SQL function inlined in a generated column's or an index's expression
 * when its immutability is checked). An edge that would close a loop (the named table's own
 * definition calls the function) is left out.
 */
export function bodyDependencies(
  model: CatalogModel,
  bodies: ReadonlyMap<number, StagedBody>,
): { dependent: string; referenced: string }[] {
  if (bodies.size === 0) return [];
  const keyOf = new Map<string, string>();
  const add = (o: QualifiedName, key: string) => keyOf.set(`${o.schema}\u0000${o.name}`, key);
  for (const t of [...model.tables, ...model.foreignTables, ...model.views, ...model.sequences])
    add(t, `pg_class:${t.oid}`);
  for (const t of [...model.enums, ...model.domains, ...model.composites, ...model.ranges])
    add(t, `pg_type:${t.oid}`);
  const deps = new Map<string, string[]>();
  for (const d of model.dependencies) deps.set(d.dependent, [...(deps.get(d.dependent) ?? []), d.referenced]);
  const reaches = (from: string, target: string): boolean => {
    const seen = new Set<string>();
    const pending = [from];
    for (let key = pending.pop(); key !== undefined; key = pending.pop()) {
      if (key === target) return true;
      if (seen.has(key)) continue;
      seen.add(key);
      pending.push(...(deps.get(key) ?? []));
    }
    return false;
  };
  const out: { dependent: string; referenced: string }[] = [];
  for (const [oid, body] of bodies) {
    const dependent = `pg_proc:${oid}`;
    for (const n of body.names) {
      const referenced = keyOf.get(`${n.schema}\u0000${n.name}`);
      if (referenced && !reaches(referenced, dependent)) out.push({ dependent, referenced });
    }
  }
  return out;
}
