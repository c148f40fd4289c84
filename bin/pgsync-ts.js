#!/usr/bin/env node
import { setFlagsFromString } from "node:v8";
import { main } from "../dist/cli/main.js";

// V8 lets the heap grow to up to four times what its last full collection kept before it collects
// again: a run at 10,000 tables peaked at 460 MB of RSS for about 100 MB of live objects. Growing by
// a quarter, 272 MB (about 240 MB with the plan's strings flattened as well), for more frequent
// collections (about 2 CPU-seconds more in that run; bench/README.md, "Memory at 10,000 tables").
// A flag given to node itself (NODE_OPTIONS, node --heap-growing-percent=N) wins.
const given = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? "").split(/\s+/)];
if (!given.some((a) => a.startsWith("--heap-growing-percent")))
  setFlagsFromString("--heap-growing-percent=25");

main(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    // main() reports its own errors; this only catches bugs in the reporter itself.
    process.stderr.write(
      `pgsync-ts: internal error: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exitCode = 1;
  },
);
