import { describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";

describe("pgsync-ts schedule", () => {
  it("works with only the environment variables set and no config file: backup at 06:00 and 18:00 UTC, dev at 06:15 and 18:15 UTC", async () => {
    const env = {
      PGSYNC_CONFIG: "",
      RAILWAY_DATABASE_URL: "postgres://app:SourceSecret1@prod.example.com:5432/app",
      RAILWAY_BACKUP_DB_URL: "postgres://app:BackupSecret2@backup.example.com:5432/app",
      DATABASE_URL: "postgres://app:DevSecret3@dev.example.com:5432/app",
    };
    const json = await runCli(["schedule", "--json"], env);
    expect(json.code).toBe(0);
    const rows = JSON.parse(json.stdout) as {
      profile: string;
      cron: string;
      timezone: string;
      next: string[];
    }[];
    expect(rows.map((r) => [r.profile, r.cron, r.timezone])).toEqual([
      ["backup", "0 6,18 * * *", "UTC"],
      ["dev", "15 6,18 * * *", "UTC"],
    ]);
    const times = (profile: string) =>
      rows.find((r) => r.profile === profile)?.next.map((iso) => iso.slice(11, 19)) ?? [];
    const backup = times("backup");
    const dev = times("dev");
    expect(backup.length).toBeGreaterThanOrEqual(2);
    expect(new Set(backup)).toEqual(new Set(["06:00:00", "18:00:00"]));
    expect(new Set(dev)).toEqual(new Set(["06:15:00", "18:15:00"]));
    // Consecutive runs alternate 12 hours apart, in the future.
    for (const r of rows) {
      const next = r.next.map((iso) => new Date(iso).getTime());
      expect(next[0]).toBeGreaterThan(Date.now() - 60_000);
      for (let i = 1; i < next.length; i++) expect((next[i] ?? 0) - (next[i - 1] ?? 0)).toBe(12 * 3_600_000);
    }

    const text = await runCli(["schedule"], env);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^backup\s+0 6,18 \* \* \*\s+UTC\s+next: \S+T(06|18):00:00\.000Z/m);
    expect(text.stdout).toMatch(/^dev\s+15 6,18 \* \* \*\s+UTC\s+next: \S+T(06|18):15:00\.000Z/m);
    for (const secret of ["SourceSecret1", "BackupSecret2", "DevSecret3"]) {
      expect(text.stdout + text.stderr + json.stdout + json.stderr).not.toContain(secret);
    }
  });
});
