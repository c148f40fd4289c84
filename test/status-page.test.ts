/**
 * The status page, loaded in headless Chromium (Debian's /usr/bin/chromium, driven by
 * playwright-core; scripts/provision.sh installs it, run by npm test) with JavaScript turned off,
 * through the page's bearer token. A screenshot is kept in test-artifacts/status-page.png.
 */
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { afterAll, describe, expect, it } from "vitest";
import { parseConfig } from "../src/config/index.js";
import { listSnapshots } from "../src/restore/meta.js";
import { type RunRecord, readRuns } from "../src/schedule/history-store.js";
import { recordedRun } from "../src/schedule/record-run.js";
import { type Service, startService } from "../src/schedule/service.js";
import { runCli } from "./helpers/cli.js";
import { databasesForThisFile } from "./helpers/pairs.js";
import { type PgMajor, testMajors, withClient } from "./helpers/pg-servers.js";
import { writeConfig } from "./helpers/serve-process.js";

process.env.PGSYNC_LOG_LEVEL = "warn";

const CHROMIUM = "/usr/bin/chromium";
const CHROMIUM_FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
const ARTIFACTS = new URL("../test-artifacts/", import.meta.url).pathname;
const TOKEN = "Status-Page-T0ken";

const majors = testMajors();
const major = majors[majors.length - 1] as PgMajor;
const fresh = databasesForThisFile();
const cleanups: (() => void | Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

describe("status page", () => {
  it("shows every profile: last success, runs with their verification, chart, snapshots, rollbacks, unset variables", async () => {
    const [source, destination, other] = await Promise.all([fresh(major), fresh(major), fresh(major)]);
    await withClient(source.url, (c) =>
      c.query("CREATE TABLE items (id int PRIMARY KEY); INSERT INTO items SELECT generate_series(1, 2000);"),
    );
    const profiles = {
      // Never fires during the test: every run below is recorded on purpose.
      nightly: {
        source: source.url,
        destination: destination.url,
        schedule: { cron: "0 3 1 1 *", timezone: "UTC" },
      },
      // No schedule: it runs from the command line only.
      adhoc: { source: source.url, destination: other.url },
      // Neither variable is set on this host.
      railway: {
        source: { env: "PGSYNC_STATUS_TEST_SOURCE" },
        destination: { env: "PGSYNC_STATUS_TEST_DESTINATION" },
        schedule: { cron: "0 4 * * *" },
      },
    };
    const file = writeConfig({ profiles });
    cleanups.push(file.remove);
    const cli = (...args: string[]) => runCli([...args, "--config", file.file]);
    // A run from the command line (row counts), one with checksums, one that fails in the cut-over
    // (after its verification), then a rollback; and one run of the unscheduled profile.
    expect((await cli("run", "--profile", "nightly")).code).toBe(0);
    const record = (run: Record<string, unknown>) =>
      recordedRun({
        profile: "nightly",
        trigger: "manual",
        connectSeconds: 10,
        run: { sourceUrl: source.url, destinationUrl: destination.url, ...run },
      });
    expect((await record({ verify: "checksum" })).status).toBe("succeeded");
    const failed = await record({
      faultHook: (point: string) => {
        if (point === "cutover:before-commit") throw new Error("injected failure");
      },
    });
    expect(failed.status).toBe("failed");
    expect((await cli("rollback", "--profile", "nightly", "--yes")).code).toBe(0);
    expect((await cli("run", "--profile", "adhoc")).code).toBe(0);
    const recorded: RunRecord[] = await withClient(destination.url, (c) => readRuns(c, { limit: 50 }));
    expect(recorded.map((r) => r.status)).toEqual(["failed", "succeeded", "succeeded"]);
    const [rollback] = await withClient(destination.url, (c) =>
      readRuns(c, { limit: 5, kinds: ["rollback"] }),
    );
    const snapshots = await withClient(destination.url, (c) => listSnapshots(c));
    expect(snapshots.length).toBeGreaterThanOrEqual(2);

    const service: Service = await startService({
      config: parseConfig({ http: { port: 0, token: { env: "PGSYNC_STATUS_TOKEN" } }, profiles }),
      env: { PGSYNC_STATUS_TOKEN: TOKEN },
      profiles: ["nightly"],
    });
    cleanups.push(() => service.stop());

    const userDataDir = mkdtempSync(join(tmpdir(), "pgsync-chromium-"));
    cleanups.push(() => rmSync(userDataDir, { recursive: true, force: true }));
    const browser = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_FLAGS,
      viewport: { width: 1000, height: 900 },
      // Server-rendered: the page needs no script.
      javaScriptEnabled: false,
      extraHTTPHeaders: { authorization: `Bearer ${TOKEN}` },
    });
    cleanups.push(() => browser.close());
    const page = await browser.newPage();
    const response = await page.goto(`http://127.0.0.1:${service.http?.port}/`);
    expect(response?.status()).toBe(200);

    // A card for every configured profile: the scheduled one first, the unscheduled one, then those
    // that cannot run here (the built-in profiles too: their variables are not set either).
    const cards = await page
      .locator("section.profile")
      .evaluateAll((els) => els.map((e) => [e.getAttribute("data-profile"), e.getAttribute("data-served")]));
    expect(cards.slice(0, 2)).toEqual([
      ["nightly", "scheduled"],
      ["adhoc", "unscheduled"],
    ]);
    expect(
      cards
        .slice(2)
        .map((c) => c[0])
        .sort(),
    ).toEqual(["backup", "dev", "railway"]);

    const section = page.locator('section.profile[data-profile="nightly"]');
    await expect(section.locator("h2").textContent()).resolves.toContain("on schedule");
    await expect(section.locator(".last-success").textContent()).resolves.toMatch(
      /^Last success (less than a minute|\d+ minutes?) ago \(\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ\)$/,
    );
    await expect(section.locator(".success-rate").textContent()).resolves.toBe("66.7%");
    await expect(section.locator(".next-runs").textContent()).resolves.toContain(
      `${new Date().getUTCFullYear() + 1}-01-01 03:00:00Z`,
    );

    // The runs, newest first, with the verification each did.
    const rows = await section.locator("table.runs tr.run").evaluateAll((els) =>
      els.map((e) => ({
        run: Number(e.getAttribute("data-run")),
        verification: e.querySelector("td.verification")?.textContent ?? "",
        text: e.textContent ?? "",
      })),
    );
    expect(rows.map((r) => r.run)).toEqual(recorded.map((r) => r.id));
    expect(rows.map((r) => r.verification)).toEqual([
      "row counts: match",
      "row counts, table content checksums: match",
      "row counts: match",
    ]);
    expect(rows[0]?.text).toContain("injected failure");
    expect(rows[1]?.text).toContain("2,000");

    // The destination's snapshots and the profile's rollback.
    const shown = await section
      .locator("table.snapshots tr.snapshot")
      .evaluateAll((els) => els.map((e) => e.getAttribute("data-snapshot")));
    expect(shown).toEqual(snapshots.map((s) => s.snapshotId));
    const rollbacks = await section
      .locator("table.rollbacks tr.rollback")
      .evaluateAll((els) =>
        els.map((e) => [Number(e.getAttribute("data-run")), e.textContent ?? ""] as const),
      );
    expect(rollbacks.map((r) => r[0])).toEqual([rollback?.id]);
    expect(rollbacks[0]?.[1]).toContain("succeeded");
    expect(rollbacks[0]?.[1]).toContain(rollback?.restoredSnapshot ?? "missing");

    // The unscheduled profile: its own history, and no schedule.
    const adhoc = page.locator('section.profile[data-profile="adhoc"]');
    await expect(adhoc.locator(".schedule").textContent()).resolves.toContain("No schedule");
    await expect(adhoc.locator(".last-success").textContent()).resolves.toMatch(/^Last success /);
    // A profile whose variables are unset here names each of them.
    const railway = page.locator('section.profile[data-profile="railway"]');
    await expect(railway.locator("h2").textContent()).resolves.toContain("cannot run on this host");
    await expect(railway.locator("p.meta").first().textContent()).resolves.toBe(
      "$PGSYNC_STATUS_TEST_SOURCE → $PGSYNC_STATUS_TEST_DESTINATION",
    );
    await expect(railway.locator(".problems li").allTextContents()).resolves.toEqual([
      "environment variable PGSYNC_STATUS_TEST_SOURCE is not set (source)",
      "environment variable PGSYNC_STATUS_TEST_DESTINATION is not set (destination)",
    ]);

    // One chart point per finished run, in time order, coloured by outcome.
    const points = await section.locator("svg.plot circle.run-point").evaluateAll((els) =>
      els.map((e) => ({
        run: Number(e.getAttribute("data-run")),
        x: e.getBoundingClientRect().x,
        status: [...e.classList].find((c) => c !== "run-point"),
      })),
    );
    const oldestFirst = [...recorded].reverse();
    expect(points.map((p) => p.run)).toEqual(oldestFirst.map((r) => r.id));
    expect(points.map((p) => p.status)).toEqual(oldestFirst.map((r) => r.status));
    for (let i = 1; i < points.length; i++) expect(points[i]?.x).toBeGreaterThan(points[i - 1]?.x ?? 0);
    // The time axis and the duration axis are labelled.
    await expect(section.locator("figure.chart figcaption").textContent()).resolves.toBe(
      "duration of each finished run, by start time (UTC)",
    );
    const ticks = await section.locator(".x-axis .tick").allTextContents();
    expect(ticks.length).toBeGreaterThanOrEqual(2);
    for (const t of ticks) expect(t).toMatch(/^\d\d:\d\d:\d\dZ$/);
    await expect(section.locator(".y-axis span").allTextContents()).resolves.toEqual([
      expect.stringMatching(/^[\d.]+ s$/),
      expect.stringMatching(/^[\d.]+ s$/),
      "0 s",
    ]);

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, "status-page.png"), fullPage: true });

    // The chart takes the card's width, at any window width.
    const widths = async () => ({
      card: (await section.boundingBox())?.width ?? 0,
      plot: (await section.locator("svg.plot").boundingBox())?.width ?? 0,
    });
    const narrow = await widths();
    expect(narrow.plot).toBeGreaterThan(0.85 * narrow.card);
    await page.setViewportSize({ width: 1500, height: 900 });
    const wide = await widths();
    expect(wide.card - narrow.card).toBeGreaterThan(400);
    expect(Math.abs(wide.plot - narrow.plot - (wide.card - narrow.card))).toBeLessThan(2);
  });
});
