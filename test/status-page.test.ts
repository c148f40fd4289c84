/**
 * The status page, loaded in headless Chromium (Debian's /usr/bin/chromium, driven by
 * playwright-core; scripts/provision.sh installs it, run by npm test). A screenshot is kept in
 * test-artifacts/status-page.png.
 */
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { afterAll, describe, expect, it } from "vitest";
import { parseConfig } from "../src/config/index.js";
import { type RunRecord, readRuns } from "../src/schedule/history-store.js";
import { recordedRun } from "../src/schedule/record-run.js";
import { type Service, startService } from "../src/schedule/service.js";
import { runCli } from "./helpers/cli.js";
import {
  type FreshDatabase,
  freshDatabase,
  type PgMajor,
  testMajors,
  withClient,
} from "./helpers/pg-servers.js";
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

const majors = testMajors();
const major = majors[majors.length - 1] as PgMajor;
const databases: FreshDatabase[] = [];
const cleanups: (() => void | Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
  await Promise.all(databases.map((d) => d.drop()));
});

describe("status page", () => {
  it("shows each recorded run in the list and as one point of the duration chart", async () => {
    const source = await freshDatabase(major);
    const destination = await freshDatabase(major);
    databases.push(source, destination);
    await withClient(source.url, (c) =>
      c.query("CREATE TABLE items (id int PRIMARY KEY); INSERT INTO items SELECT generate_series(1, 2000);"),
    );
    const profile = {
      source: source.url,
      destination: destination.url,
      // Never fires during the test: every run below is recorded on purpose.
      schedule: { cron: "0 3 1 1 *", timezone: "UTC" },
    };
    const file = writeConfig({ profiles: { nightly: profile } });
    cleanups.push(file.remove);
    // Two successful runs from the command line, then one that fails in the cut-over.
    for (let i = 0; i < 2; i++)
      expect((await runCli(["run", "--profile", "nightly", "--config", file.file])).code).toBe(0);
    const failed = await recordedRun({
      profile: "nightly",
      trigger: "manual",
      connectSeconds: 10,
      run: {
        sourceUrl: source.url,
        destinationUrl: destination.url,
        faultHook: (point) => {
          if (point === "cutover:before-commit") throw new Error("injected failure");
        },
      },
    });
    expect(failed.status).toBe("failed");
    const recorded: RunRecord[] = await withClient(destination.url, (c) => readRuns(c, { limit: 50 }));
    expect(recorded.map((r) => r.status)).toEqual(["failed", "succeeded", "succeeded"]);

    const service: Service = await startService({
      // The default address: 127.0.0.1.
      config: parseConfig({ http: { port: 0 }, profiles: { nightly: profile } }),
      env: {},
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
    });
    cleanups.push(() => browser.close());
    const page = await browser.newPage();
    const response = await page.goto(`http://127.0.0.1:${service.http?.port}/`);
    expect(response?.status()).toBe(200);

    const section = page.locator('section.profile[data-profile="nightly"]');
    await expect(section.locator("h2").textContent()).resolves.toContain("nightly");
    // One chart point per recorded run, in time order, coloured by outcome.
    const points = await section.locator("svg.chart circle.run-point").evaluateAll((els) =>
      els.map((e) => ({
        run: Number(e.getAttribute("data-run")),
        cx: Number(e.getAttribute("cx")),
        status: [...e.classList].find((c) => c !== "run-point"),
      })),
    );
    const oldestFirst = [...recorded].reverse();
    expect(points.map((p) => p.run)).toEqual(oldestFirst.map((r) => r.id));
    expect(points.map((p) => p.status)).toEqual(oldestFirst.map((r) => r.status));
    for (let i = 1; i < points.length; i++) expect(points[i]?.cx).toBeGreaterThan(points[i - 1]?.cx ?? 0);
    // The circles are rendered (not just present in the markup).
    const box = await section.locator("svg.chart circle.run-point").first().boundingBox();
    expect(box?.width).toBeGreaterThan(0);

    // The runs are listed, newest first, with their outcome.
    const rows = await section
      .locator("table.runs tr.run")
      .evaluateAll((els) =>
        els.map((e) => ({ run: Number(e.getAttribute("data-run")), text: e.textContent ?? "" })),
      );
    expect(rows.map((r) => r.run)).toEqual(recorded.map((r) => r.id));
    expect(rows[0]?.text).toContain("failed");
    expect(rows[0]?.text).toContain("injected failure");
    expect(rows[1]?.text).toContain("2,000");
    await expect(section.locator(".success-rate").textContent()).resolves.toBe("66.7%");
    await expect(section.locator(".next-runs").textContent()).resolves.toContain(
      `${new Date().getUTCFullYear() + 1}-01-01 03:00:00Z`,
    );

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, "status-page.png"), fullPage: true });
  });
});
