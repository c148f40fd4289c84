/**
 * The test suite's fault hooks (PGSYNC_TEST_PAUSE_AT, src/pipeline/test-faults.ts) work only in a
 * process whose entry point switched them on: the suite's own entry (test/helpers/cli-entry.ts)
 * does, the shipped `bin/pgsync-ts.js` never does. So a production run whose environment carries
 * the variable by accident does not stop and wait for a signal; it warns and ignores it.
 */
let enabled = false;

export function enableTestHooks(): void {
  enabled = true;
}

export function testHooksEnabled(): boolean {
  return enabled;
}
