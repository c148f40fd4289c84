import { main } from "../../src/cli/main.js";
import { enableTestHooks } from "../../src/cli/test-hooks.js";

// The suite's entry point: fault hooks (PGSYNC_TEST_PAUSE_AT) work here, never in the shipped CLI.
enableTestHooks();
process.exitCode = await main(process.argv);
