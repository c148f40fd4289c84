import type { Dependency } from "../../introspect/model.js";
import { flattenStrings } from "../../util/flatten-strings.js";
import type { DdlItem } from "./item.js";

/**
 * The plan's dependency graph: pg_depend's edges (read at introspection, by OID, folded onto the
 * objects the plan creates: src/introspect/queries/dependencies.ts) indexed by dependent key, and
 * the items that answer for each key. A key no item answers for (an object of an extension, of
 * another schema, or of the catalog) is no edge.
 */
export class PlanGraph {
  private readonly edges = new Map<string, string[]>();
  private readonly owners = new Map<string, DdlItem>();
  /** Views split by the placeholder breaker: the placeholder's key, and the item that replaces it. */
  private readonly replacements = new Map<string, DdlItem>();
  readonly items: DdlItem[] = [];

  constructor(dependencies: readonly Dependency[]) {
    for (const d of dependencies) {
      const list = this.edges.get(d.dependent);
      if (list) list.push(d.referenced);
      else this.edges.set(d.dependent, [d.referenced]);
    }
  }

  /** What pg_depend says `key` depends on. */
  depsOf(key: string): readonly string[] {
    return this.edges.get(key) ?? [];
  }

  /** Adds an item, with the catalog dependencies of its key and of each of its claims. */
  add(item: DdlItem): DdlItem {
    // Flattened as they come, so that the pieces of their statements are not all kept to the end:
    // at 10,000 tables the plan's peak of live objects is 100 MB instead of 107 (src/util/flatten-strings.ts).
    flattenStrings(item);
    this.items.push(item);
    for (const key of [item.key, ...item.claims]) {
      this.owners.set(key, item);
      for (const d of this.depsOf(key)) item.deps.add(d);
    }
    for (const key of [item.key, ...item.claims]) item.deps.delete(key);
    return item;
  }

  /** The item a claim belongs to, or the item of that key. */
  owner(key: string): DdlItem | undefined {
    return this.owners.get(key);
  }

  /** Hands one claim (and the dependencies it brought) from its item to an item of its own. */
  detach(claim: string, to: DdlItem): void {
    const from = this.owners.get(claim);
    if (!from) return;
    from.claims.splice(from.claims.indexOf(claim), 1);
    from.deps.clear();
    for (const key of [from.key, ...from.claims]) for (const d of this.depsOf(key)) from.deps.add(d);
    for (const d of from.implicit) from.deps.add(d);
    for (const key of [from.key, ...from.claims]) from.deps.delete(key);
    this.add(to);
  }

  markReplaced(placeholder: DdlItem, replacement: DdlItem): void {
    this.replacements.set(placeholder.key, replacement);
    this.items.push(replacement);
  }

  replacementOf(key: string): DdlItem | undefined {
    return this.replacements.get(key);
  }

  /**
   * The item a dependency of `from` points at. A view that was split answers with its placeholder
   * in pre-data (its columns are all a dependent there needs) and with its replacement after it.
   */
  resolve(key: string, from: DdlItem): DdlItem | undefined {
    const target = this.owners.get(key);
    if (!target || target === from) return undefined;
    const replacement = this.replacements.get(target.key);
    if (replacement && replacement !== from && from.phase !== "pre") return replacement;
    return target;
  }

  /** The items `from` depends on, each once. */
  dependencies(from: DdlItem): DdlItem[] {
    const out = new Set<DdlItem>();
    for (const key of from.deps) {
      const target = this.resolve(key, from);
      if (target) out.add(target);
    }
    return [...out];
  }
}
