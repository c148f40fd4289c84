import { Transform } from "node:stream";

/**
 * reg* values (regclass, regtype, regproc, ...) are stored as OIDs and travel by name: in text COPY
 * the source prints `app.users` (its search_path is pg_catalog, so every other schema is named) and
 * the destination looks the name up as the COPY reads it. While the staging is loaded, `app.users`
 * is the live schema's previous copy (or nothing), which the cut-over then moves into a snapshot.
 * This transform points each name of a staged object at its staging schema instead
 * (`"_pgsync_stage_…_1".users`), so that the value is the staged object's OID and names the new
 * live object once the cut-over has moved it. Names of objects the run does not stage (pg_catalog's,
 * an extension's, another schema's) stay as they are.
 *
 * It reads a text COPY's CopyData frames as src/copy/copy-stream-query.ts forwards them (a run of
 * whole or partial frames: type 'd', a 32-bit length that counts itself, the payload), rewrites the
 * named columns of each complete row, and passes on whole frames.
 */

/** A reg* value's text, its names pointed at the staging schema (RenderContext.stageNames). */
export type StageNames = (text: string, operator: boolean) => string;

const COPY_DATA = 0x64;
const HEADER = 5;
const NEWLINE = 0x0a;
const TAB = 0x09;

export class StagedNameValues extends Transform {
  private readonly header = Buffer.alloc(HEADER);
  private headerFill = 0;
  private bodyLeft = 0;
  /** Payload bytes of a row not complete yet. */
  private partial: Buffer[] = [];

  /**
   * @param columns for each column of the COPY, in order: undefined to pass it on, or whether its
   *   values are operators (regoper, regoperator) rather than other objects.
   */
  constructor(
    private readonly columns: readonly (boolean | undefined)[],
    private readonly stage: StageNames,
    /** False for plain COPY text (an archive's file), true for CopyData frames from a source. */
    private readonly framed = true,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    if (!this.framed) {
      const rows = this.completeRows([chunk]);
      if (rows.length > 0) this.push(rows);
      done();
      return;
    }
    try {
      const payload: Buffer[] = [];
      let i = 0;
      while (i < chunk.length) {
        if (this.bodyLeft > 0) {
          const n = Math.min(this.bodyLeft, chunk.length - i);
          payload.push(chunk.subarray(i, i + n));
          this.bodyLeft -= n;
          i += n;
          continue;
        }
        const n = Math.min(HEADER - this.headerFill, chunk.length - i);
        chunk.copy(this.header, this.headerFill, i, i + n);
        this.headerFill += n;
        i += n;
        if (this.headerFill < HEADER) break;
        this.headerFill = 0;
        if (this.header[0] !== COPY_DATA)
          throw new Error(`expected CopyData, got message type ${this.header[0]}`);
        this.bodyLeft = this.header.readUInt32BE(1) - 4;
      }
      const rows = this.completeRows(payload);
      if (rows.length > 0) this.push(frame(rows));
      done();
    } catch (error) {
      done(error as Error);
    }
  }

  override _flush(done: (error?: Error | null) => void): void {
    const rest = Buffer.concat(this.partial);
    // A text COPY ends every row with a newline: anything left is a row the source cut short.
    done(rest.length > 0 ? new Error("the COPY data ended inside a row") : null);
  }

  /** The rewritten bytes of the rows this payload completes; the rest waits for the next chunk. */
  private completeRows(payload: readonly Buffer[]): Buffer {
    const data = Buffer.concat([...this.partial, ...payload]);
    const end = data.lastIndexOf(NEWLINE);
    if (end < 0) {
      this.partial = [data];
      return Buffer.alloc(0);
    }
    this.partial = end + 1 < data.length ? [data.subarray(end + 1)] : [];
    const out: Buffer[] = [];
    let start = 0;
    while (start <= end) {
      const stop = data.indexOf(NEWLINE, start);
      out.push(this.rewriteRow(data.subarray(start, stop)), Buffer.from([NEWLINE]));
      start = stop + 1;
    }
    return Buffer.concat(out);
  }

  private rewriteRow(row: Buffer): Buffer {
    const fields: Buffer[] = [];
    let start = 0;
    for (let column = 0; ; column++) {
      const tab = row.indexOf(TAB, start);
      const field = row.subarray(start, tab < 0 ? row.length : tab);
      const operator = this.columns[column];
      fields.push(
        operator === undefined ? field : Buffer.from(this.rewriteField(field.toString("utf8"), operator)),
      );
      if (tab < 0) break;
      start = tab + 1;
    }
    return Buffer.concat(fields.flatMap((f, n) => (n === 0 ? [f] : [Buffer.from([TAB]), f])));
  }

  private rewriteField(field: string, operator: boolean): string {
    if (field === "\\N") return field;
    const value = decodeCopyText(field);
    const rewritten =
      value.startsWith("{") || value.startsWith("[")
        ? mapArrayElements(value, (element) => this.stage(element, operator))
        : this.stage(value, operator);
    return rewritten === value ? field : encodeCopyText(rewritten);
  }
}

function frame(payload: Buffer): Buffer {
  const header = Buffer.alloc(HEADER);
  header[0] = COPY_DATA;
  header.writeUInt32BE(payload.length + 4, 1);
  return Buffer.concat([header, payload]);
}

const DECODED: Record<string, string> = { b: "\b", f: "\f", n: "\n", r: "\r", t: "\t", v: "\v" };

/** A field of text COPY as the server's COPY FROM reads it (backslash sequences). */
export function decodeCopyText(field: string): string {
  if (!field.includes("\\")) return field;
  return field.replace(/\\(x[0-9a-fA-F]{1,2}|[0-7]{1,3}|.)/gs, (_, seq: string) => {
    if (seq.length > 1 && seq[0] === "x") return String.fromCharCode(Number.parseInt(seq.slice(1), 16));
    if (/^[0-7]+$/.test(seq)) return String.fromCharCode(Number.parseInt(seq, 8));
    return DECODED[seq] ?? seq;
  });
}

const ENCODED: Record<string, string> = {
  "\\": "\\\\",
  "\b": "\\b",
  "\f": "\\f",
  "\n": "\\n",
  "\r": "\\r",
  "\t": "\\t",
  "\v": "\\v",
};

/** A value as COPY TO prints it in text format. */
export function encodeCopyText(value: string): string {
  return value.replace(/[\\\b\f\n\r\t\v]/g, (c) => ENCODED[c] ?? c);
}

/**
 * An array literal as array_out prints it (`{a,"b c",NULL}`, `[0:1]={...}`, nested braces), with
 * each element's text mapped; NULL elements, the structure and the bounds stay as they are.
 */
export function mapArrayElements(literal: string, map: (element: string) => string): string {
  let out = "";
  let i = 0;
  if (literal.startsWith("[")) {
    const eq = literal.indexOf("=");
    out = literal.slice(0, eq + 1);
    i = eq + 1;
  }
  while (i < literal.length) {
    const c = literal[i] as string;
    if (c === "{" || c === "}" || c === ",") {
      out += c;
      i++;
    } else if (c === '"') {
      let element = "";
      i++;
      while (i < literal.length && literal[i] !== '"') {
        if (literal[i] === "\\") i++;
        element += literal[i] ?? "";
        i++;
      }
      i++; // the closing quote
      out += quoteElement(map(element));
    } else {
      let j = i;
      while (j < literal.length && literal[j] !== "," && literal[j] !== "}") j++;
      const element = literal.slice(i, j);
      out += /^null$/i.test(element) ? element : quoteElement(map(element));
      i = j;
    }
  }
  return out;
}

function quoteElement(element: string): string {
  if (element !== "" && !/^null$/i.test(element) && !/[{}",\\\s]/.test(element)) return element;
  return `"${element.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}
