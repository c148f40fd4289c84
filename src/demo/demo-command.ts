import pg from "pg";
import { type EmbeddedServer, startPostgres } from "../embedded/server.js";
import { EXIT } from "../output/exit.js";
import { formatRunReport, formatVerifyReport } from "../output/format.js";
import { runSync } from "../pipeline/run.js";
import { verifyDatabases } from "../verify/compare.js";
import { DEMO_DESTINATION_MAJOR, DEMO_SOURCE_MAJOR, ensureDemoBinaries } from "./binaries.js";
import { DEMO_SEED_SQL } from "./seed.js";

const say = (text: string) => process.stderr.write(`demo: ${text}\n`);

/**
 * `pgsync-ts demo`: two embedded servers of different major versions (17 as the source, 15 as the
 * destination), a seeded escrow database, one backup-style run and an independent verification.
 * Everything it starts is stopped and removed before it returns. Without the servers' binaries it
 * prints how to install them and exits 2; `install` installs them first.
 */
export async function demoCommand(options: { json?: boolean; install?: boolean }): Promise<number> {
  if (!(await ensureDemoBinaries(options.install === true, say))) return EXIT.usage;
  const servers: EmbeddedServer[] = [];
  try {
    say(
      `starting PostgreSQL ${DEMO_SOURCE_MAJOR} (source) and PostgreSQL ${DEMO_DESTINATION_MAJOR} (destination)...`,
    );
    const started = await Promise.allSettled([
      startPostgres({ major: DEMO_SOURCE_MAJOR, name: "demo-source" }),
      startPostgres({ major: DEMO_DESTINATION_MAJOR, name: "demo-destination" }),
    ]);
    // The one that did start is stopped too (below) when the other failed.
    for (const result of started) if (result.status === "fulfilled") servers.push(result.value);
    const failed = started.find((result) => result.status === "rejected");
    if (failed) throw failed.reason;
    const [source, destination] = servers as [EmbeddedServer, EmbeddedServer];
    const sourceUrl = source.url("postgres");
    const destinationUrl = destination.url("postgres");

    say("seeding the source with a sample escrow database (users, wallets, escrows, transactions)...");
    const client = new pg.Client({ connectionString: sourceUrl });
    await client.connect();
    await client.query(DEMO_SEED_SQL);
    await client.end();

    say("running the backup-style sync...");
    const report = await runSync({
      sourceUrl,
      destinationUrl,
      profile: "demo",
      retention: { days: 7 },
      onEvent: (e) => {
        if (e.type === "table") say(`copied ${e.table}: ${e.rows} rows`);
        if (e.type === "warning") say(`warning: ${e.message}`);
      },
    });
    if (options.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    else process.stdout.write(`${formatRunReport(report)}\n`);
    if (!report.ok) return EXIT.failed;

    say("verifying source and destination independently (row counts and content checksums)...");
    const verification = await verifyDatabases({ sourceUrl, destinationUrl, method: "checksum" });
    if (!options.json) process.stdout.write(`${formatVerifyReport(verification)}\n`);
    return verification.outcome === "identical" ? EXIT.ok : EXIT.failed;
  } finally {
    say("stopping the embedded servers and removing their data...");
    await Promise.all(servers.map((s) => s.stop()));
  }
}
