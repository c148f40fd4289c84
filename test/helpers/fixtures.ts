import { readFileSync } from "node:fs";
import type pg from "pg";

/**
 * Loads a SQL fixture part by part (parts are separated by `-- split` lines, since a new enum label
 * cannot be used in the transaction that added it). A part marked `-- split:superuser-only` is
 * skipped when the suite runs as a role that is not a superuser (PGSYNC_TEST_ROLES=owner).
 */
export function fixtureParts(name: string): string[] {
  const text = readFileSync(new URL(`../fixtures/${name}`, import.meta.url), "utf8");
  const parts = text.split(/^-- split/m);
  const ownerMode = process.env.PGSYNC_TEST_ROLES === "owner";
  return parts.filter((p) => !(ownerMode && p.startsWith(":superuser-only")));
}

export async function loadFixture(client: pg.Client, name: string): Promise<void> {
  for (const part of fixtureParts(name)) await client.query(part.replace(/^:superuser-only/, ""));
}

export const OWNER_MODE = process.env.PGSYNC_TEST_ROLES === "owner";
