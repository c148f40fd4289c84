import { readFileSync } from "node:fs";

/**
 * The version in pgsync-ts's package.json, read at run time: this module is src/cli/version.ts in
 * a checkout and dist/cli/version.js in the installed package, two levels below package.json in
 * both, and npm always ships package.json. Every command builds the parser, so an unreadable
 * manifest (a bundled copy) gives "unknown" rather than breaking them all.
 */
export function packageVersion(): string {
  try {
    const manifest = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
      version?: unknown;
    };
    return typeof manifest.version === "string" ? manifest.version : "unknown";
  } catch {
    return "unknown";
  }
}
