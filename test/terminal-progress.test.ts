/**
 * What a person at a terminal sees during `pgsync-ts run`: the command runs in a pseudo-terminal
 * (`script`), held mid-COPY at a fault point so that nothing depends on timing. While it is held,
 * the live view keeps redrawing (its elapsed time and ETA move on), and once it resumes, the
 * summary of a run of the demo schema with several warnings fits on one screen.
 */
import { describe, expect, it } from "vitest";
import { DEMO_SEED_SQL } from "../src/demo/seed.js";
import { PAUSE_ENV, PAUSE_MARKER, RESUME_SIGNAL } from "../src/pipeline/test-faults.js";
import { databasesForThisFile, newestToOldest } from "./helpers/pairs.js";
import { withClient } from "./helpers/pg-servers.js";
import { inTerminal, plain } from "./helpers/terminal.js";

const { from, to } = newestToOldest();
const database = databasesForThisFile();

/** The distinct redraws of the overall progress line that show an ETA. */
function progressFrames(raw: string): Set<string> {
  return new Set(
    plain(raw)
      .split("\n")
      .filter((l) => /^copying .* \| ETA \d/.test(l)),
  );
}

describe(`a run on a terminal (${from} -> ${to})`, () => {
  it("shows live progress with an ETA while a table is copied, then a summary that fits on a screen", async () => {
    const source = await database(from);
    const destination = await database(to);
    // Two publications (not carried: two warnings), and a destination table the source does not have
    // (adopted with --force: a third).
    await withClient(source.url, (c) =>
      c.query(
        `${DEMO_SEED_SQL}; CREATE PUBLICATION demo_all FOR ALL TABLES; CREATE PUBLICATION demo_none; ANALYZE`,
      ),
    );
    await withClient(destination.url, (c) =>
      c.query(
        "CREATE TABLE public.dev_notes (id int, note text); INSERT INTO dev_notes VALUES (1, 'keep me')",
      ),
    );
    const run = inTerminal(["run", "--from", source.url, "--to", destination.url, "--force"], {
      PGSYNC_CONFIG: "",
      [PAUSE_ENV]: "copy:mid-stream",
    });
    const marker = new RegExp(`${PAUSE_MARKER} copy:mid-stream pid=(\\d+)`);
    await run.until((o) => marker.test(o));
    // Held mid-COPY: the view redraws on its own, so its elapsed time and ETA keep changing.
    await run.until((o) => progressFrames(o).size >= 3);
    const frames = [...progressFrames(run.output())];
    for (const f of frames) expect(f).toMatch(/\| \d+\/\d+ tables \| .* of ~.* \| ETA \d+s \|/);
    // Each table being copied has its bar: rows against the estimate, bytes, throughput, ETA.
    expect(plain(run.output())).toMatch(/^ {2}"public"\."\w+" +\S+ +\d+% \| ~[\d,]+ of ~[\d,]+ rows \| /m);

    const pid = Number(marker.exec(run.output())?.[1]);
    process.kill(pid, RESUME_SIGNAL);
    expect(await run.exited).toBe(0);

    const text = plain(run.output());
    // The log: one line per event (no multi-line records), each step with its time.
    expect(text).toMatch(/^\d\d:\d\d:\d\d INFO {2}step copy-data done \(\d+(\.\d+)?s\)$/m);
    expect(text).not.toMatch(/^\s+(profile|step|status|seconds): /m);
    const summary = text
      .slice(text.lastIndexOf("pgsync-ts run "))
      .split("\n")
      .filter((l) => l.trim() !== "");
    expect(summary[0]).toMatch(/^pgsync-ts run \w+ \(profile ad-hoc\): OK in /);
    const warnings = summary.filter((l) => l.startsWith("  warning "));
    expect(warnings.length).toBeGreaterThanOrEqual(3);
    expect(warnings.join("\n")).toContain("publication demo_all");
    expect(warnings.join("\n")).toContain('table "public"."dev_notes"');
    expect(summary.length).toBeLessThanOrEqual(25);
    expect(summary).toContainEqual(
      expect.stringMatching(/^ {2}adopted {6}1 object\(s\) .* table "public"\."dev_notes"$/),
    );
    expect(summary).toContainEqual(
      expect.stringMatching(
        /^ {2}snapshot {5}\S+ keeps the previous state \(undo with: pgsync-ts rollback --to '/,
      ),
    );
  });
});
