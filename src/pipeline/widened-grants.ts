import type pg from "pg";
import { execute, pinned } from "../db/session.js";
import type { SyncPlan } from "../ddl/plan.js";
import type { LargeObject } from "../introspect/model.js";
import {
  type EffectiveGrant,
  readEffectiveGrants,
  readLargeObjectGrants,
} from "../introspect/queries/privileges.js";
import { quoteIdent } from "../sql/quote.js";

/**
 * Objects a run creates get the destination's defaults: PUBLIC may run every new function (a
 * SECURITY DEFINER one runs as its owner) and use every new type, and the destination's default
 * privileges (ALTER DEFAULT PRIVILEGES) may grant more to other roles. Whatever the source's ACL
 * lacks is revoked again, by grantee name (PUBLIC included) and privilege, so no role gets more on
 * the destination than a role of that name had on the source. The object's owner is left alone.
 * This holds with and without --with-privileges: with it, the cut-over then grants what the source
 * grants, to the roles that exist on the destination.
 */
export class WidenedGrants {
  /** Revoked grants, per object kind. */
  readonly revoked: Record<string, number> = {};

  private constructor(
    private readonly source: ReadonlySet<string>,
    private readonly live: ReadonlyMap<string, string>,
  ) {}

  /** From the source's grants, read at the snapshot (a run) or recorded in an archive's manifest (a restore). */
  static fromGrants(grants: readonly EffectiveGrant[], plan: SyncPlan): WidenedGrants {
    const live = new Map(plan.schemas.map((s) => [s.staging, s.name]));
    return new WidenedGrants(new Set(grants.map((g) => grantKey(g, (schema) => schema))), live);
  }

  /**
   * Revokes, on the staged objects, every grant the source does not have (one pinned transaction).
   * Schemas are left to `tightenNewSchemas`: the staging schemas themselves are dropped by the cut-over.
   */
  async tightenStaged(destination: pg.Client, plan: SyncPlan): Promise<void> {
    await pinned(destination, async () => {
      const staged = await readEffectiveGrants(
        destination,
        plan.schemas.map((s) => s.staging),
      );
      const toLive = (schema: string) => this.live.get(schema) ?? schema;
      await this.revoke(
        destination,
        staged.filter((g) => g.kind !== "schema" && !this.source.has(grantKey(g, toLive))),
      );
    });
  }

  /** Inside the cut-over: the live schemas it created (they did not exist before) get the source's grants only. */
  async tightenNewSchemas(destination: pg.Client, created: readonly string[]): Promise<void> {
    if (created.length === 0) return;
    const grants = await readEffectiveGrants(destination, created);
    await this.revoke(
      destination,
      grants.filter((g) => g.kind === "schema" && !this.source.has(grantKey(g, (s) => s))),
    );
  }

  /**
   * Inside the cut-over, once the source's large objects are created: grants on them that the source's
   * ACL lacks (PostgreSQL 18 has default privileges for large objects) are revoked.
   */
  async tightenLargeObjects(destination: pg.Client, objects: readonly LargeObject[]): Promise<void> {
    if (objects.length === 0) return;
    const granted = new Set(
      objects.flatMap((o) => (o.grants ?? []).map((g) => `${o.oid} ${g.grantee ?? ""} ${g.privilege}`)),
    );
    const found = await readLargeObjectGrants(
      destination,
      objects.map((o) => o.oid),
    );
    for (const g of found) {
      if (granted.has(`${g.oid} ${g.grantee ?? ""} ${g.privilege}`)) continue;
      await execute(
        destination,
        `REVOKE ${g.privilege} ON LARGE OBJECT ${g.oid} FROM ${grantee(g.grantee)}`,
        `large object ${g.oid}`,
        "cutover",
      );
      this.count("large object");
    }
  }

  /** "function 2, type 1", or "" when nothing was revoked. */
  describe(): string {
    return Object.entries(this.revoked)
      .map(([kind, n]) => `${kind} ${n}`)
      .join(", ");
  }

  private async revoke(destination: pg.Client, extra: readonly EffectiveGrant[]): Promise<void> {
    // One statement per object and grantee, with every privilege the source lacks.
    const byTarget = new Map<
      string,
      { kind: EffectiveGrant["kind"]; target: string; grantee: string | null; privileges: string[] }
    >();
    for (const g of extra) {
      const key = `${g.kind} ${g.target} ${g.grantee ?? ""}`;
      const entry = byTarget.get(key) ?? {
        kind: g.kind,
        target: g.target,
        grantee: g.grantee,
        privileges: [],
      };
      entry.privileges.push(g.privilege);
      byTarget.set(key, entry);
      this.count(g.kind);
    }
    for (const e of byTarget.values()) {
      await execute(
        destination,
        `REVOKE ${e.privileges.join(", ")} ON ${ON[e.kind]} ${e.target} FROM ${grantee(e.grantee)}`,
        `${e.kind} ${e.target}`,
      );
    }
  }

  private count(kind: string): void {
    this.revoked[kind] = (this.revoked[kind] ?? 0) + 1;
  }
}

const ON: Record<EffectiveGrant["kind"], string> = {
  table: "TABLE",
  sequence: "SEQUENCE",
  function: "ROUTINE",
  procedure: "ROUTINE",
  type: "TYPE",
  schema: "SCHEMA",
};

function grantee(role: string | null): string {
  return role === null ? "PUBLIC" : quoteIdent(role);
}

/** The same object and grant on both sides: staging schema names are mapped to the live ones. */
function grantKey(g: EffectiveGrant, toLive: (schema: string) => string): string {
  const args = g.args.map(([schema, name]) => [toLive(schema), name]);
  return JSON.stringify([g.kind, toLive(g.schema), g.name, args, g.grantee, g.privilege]);
}
