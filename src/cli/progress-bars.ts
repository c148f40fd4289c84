import cliProgress from "cli-progress";
import type { RunEvent } from "../pipeline/run.js";
import { formatBytes } from "../util/format-bytes.js";
import { CopyMeter, type Measure } from "./copy-meter.js";
import { TaskLines } from "./task-lines.js";

type Bar = cliProgress.SingleBar;
/** Draws the bar glyphs for a fraction (0..1). */
type Glyphs = (fraction: number) => string;
type TaskEvent = Extract<RunEvent, { type: "task" }>;

/** What a running task's line says it does (a table's COPY has a bar of its own). */
const DOING: Record<Exclude<TaskEvent["kind"], "load">, string> = {
  keys: "adding the keys of",
  index: "building",
  "foreign key": "checking",
  analyze: "analyzing",
  "large objects": "copying the large objects",
};

const n = (value: number) => value.toLocaleString("en-US");

/**
 * The live view of the copy-data step on a terminal (cli-progress): an overall line (tables, bytes
 * against the estimate, throughput, ETA, elapsed time), a bar for each table being copied (rows,
 * bytes, throughput, ETA), and a line for each index build, key, foreign key or ANALYZE while it
 * runs. It redraws on a timer, so the elapsed times move even while no byte arrives; log lines
 * passed to `line` print above it. Outside the copy-data step there is no live view: lines only.
 */
export class ProgressBars {
  private multibar: cliProgress.MultiBar | undefined;
  private meter: CopyMeter | undefined;
  private readonly bars = new TaskLines<Bar>();

  constructor(
    private readonly stream: NodeJS.WriteStream = process.stderr,
    private readonly now: () => number = () => performance.now() / 1000,
  ) {}

  /** Prints one line: above the live view while it is shown, else on the stream. */
  readonly line = (text: string): void => {
    if (this.multibar) this.multibar.log(`${text}\n`);
    else this.stream.write(`${text}\n`);
  };

  handle(e: RunEvent): void {
    switch (e.type) {
      case "copy-start":
        this.start(e);
        break;
      case "table-progress":
        this.meter?.progress(e.table, e.bytes, this.now());
        break;
      case "table":
        this.meter?.finished(e.table, e, this.now());
        break;
      case "task":
        if (e.phase === "started") this.taskStarted(e);
        else this.taskFinished(e);
        break;
      case "step":
        if (e.report.name === "copy-data") this.stop();
        break;
      default:
        break;
    }
  }

  /** Ends the live view (the lines it holds are printed first). Safe to call at any time. */
  stop(): void {
    const multibar = this.multibar;
    if (!multibar) return;
    multibar.update();
    multibar.stop();
    this.multibar = undefined;
    this.bars.clear();
  }

  private start(e: Extract<RunEvent, { type: "copy-start" }>): void {
    this.stop();
    const at = this.now();
    const meter = new CopyMeter(e.tables, at);
    this.meter = meter;
    this.multibar = new cliProgress.MultiBar({
      stream: this.stream,
      fps: 5,
      // Every frame is drawn whole: a log line printed above would otherwise leave blank rows.
      forceRedraw: true,
      clearOnComplete: true,
      hideCursor: true,
      gracefulExit: false,
      barsize: 20,
      barCompleteChar: "█",
      barIncompleteChar: "░",
      // Each line renders itself from the meter; the library draws the bar glyphs.
      format: (options, _params, payload: { render: (bar: Glyphs) => string }) =>
        payload.render((fraction) => cliProgress.Format.BarFormat(fraction, options)),
    });
    this.multibar.create(1, 0, {
      render: (bar: Glyphs) => {
        const o = meter.overall(this.now());
        return `copying  ${bar(o.fraction)} ${percent(o.fraction)} | ${o.tablesDone}/${o.tables} tables | ${sizes(o)} | ${rate(o)} | ${eta(o)} | ${duration(o.elapsedSeconds)}`;
      },
    });
  }

  private taskStarted(e: TaskEvent): void {
    const multibar = this.multibar;
    const meter = this.meter;
    if (!multibar || !meter) return;
    const at = this.now();
    this.bars.started(e, () => this.taskLine(multibar, meter, e, at));
  }

  private taskLine(multibar: cliProgress.MultiBar, meter: CopyMeter, e: TaskEvent, at: number): Bar {
    if (e.kind === "load" && e.table) {
      const table = e.table;
      meter.progress(table, 0, at);
      return multibar.create(1, 0, {
        render: (bar: Glyphs) => {
          const m = meter.table(table, this.now());
          const rows =
            m.rows === undefined
              ? ""
              : ` | ~${n(m.rows)}${m.expectedRows ? ` of ~${n(m.expectedRows)}` : ""} rows`;
          return `  ${fitWidth(table, 32)} ${bar(m.fraction)} ${percent(m.fraction)}${rows} | ${formatBytes(m.bytes)} | ${rate(m)} | ${eta(m)}`;
        },
      });
    }
    const doing = e.kind === "load" ? "copying" : DOING[e.kind];
    const what = e.kind === "large objects" ? "" : ` ${e.object ?? e.table ?? ""}`;
    return multibar.create(1, 0, {
      render: () => `  ${doing}${what}  ${duration(this.now() - at)}`,
    });
  }

  private taskFinished(e: TaskEvent): void {
    const bar = this.bars.finished(e);
    if (bar) this.multibar?.remove(bar);
  }
}

function percent(fraction: number): string {
  return `${Math.floor(fraction * 100)}%`.padStart(4);
}

function sizes(m: Measure): string {
  return m.expectedBytes > m.bytes
    ? `${formatBytes(m.bytes)} of ~${formatBytes(m.expectedBytes)}`
    : formatBytes(m.bytes);
}

function rate(m: Measure): string {
  return `${formatBytes(Math.round(m.bytesPerSecond))}/s`;
}

function eta(m: Measure): string {
  return m.etaSeconds === undefined ? "ETA --" : `ETA ${duration(m.etaSeconds)}`;
}

/** `7s`, `2m05s`, `1h02m`. */
export function duration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
}

/** A name cut to `width` characters, its end kept (the table name is the part that tells). */
function fitWidth(text: string, width: number): string {
  return text.length <= width ? text.padEnd(width) : `…${text.slice(text.length - width + 1)}`;
}
