/**
 * COPY streams for node-postgres that forward the backend's framed CopyData as it arrived (see
 * copy-stream.ts): `CopyOutQuery` reads `COPY ... TO STDOUT` straight off the source's socket and
 * emits runs of whole or partial CopyData frames; `CopyInQuery` writes such runs to the destination's
 * socket unchanged for `COPY ... FROM STDIN`. Nothing is copied or re-framed per message.
 *
 * Both are node-postgres "submittables" (client.query(stream)). While the COPY OUT runs, the reader
 * takes the socket from the client's parser (and gives it back, with the bytes after the data, when
 * CopyDone or an ErrorResponse arrives); the client still reports the CommandComplete's row count,
 * the server's errors and a dying connection through the handle* calls below. Reading only when the
 * consumer asks for more keeps the backpressure: the socket is not read, so TCP pushes back on the
 * source. An error on either side ends the COPY IN with CopyFail on a frame boundary.
 */
import { Readable, Writable } from "node:stream";
import type pg from "pg";
import { CopyInFrames, CopyOutFrames } from "./copy-stream.js";

/** node-postgres's Connection, with the CopyFail it sends (not in its published types). */
type PgConnection = pg.Connection & { sendCopyFail(message: string): void };

const COPY_DONE = Buffer.from([0x63, 0, 0, 0, 4]);
/** Zeros written at a time to finish a frame cut by an error. */
const FILL_PIECE = 64 * 1024;
/** Beyond this, a cut frame is not padded: the connection is closed, and the server rolls back. */
const FILL_LIMIT = 64 * 1024 * 1024;

function commandRows(message: unknown): number | undefined {
  const m = /^COPY (\d+)/.exec(String((message as { text?: unknown } | undefined)?.text ?? ""));
  return m ? Number(m[1]) : undefined;
}

export class CopyOutQuery extends Readable implements pg.Submittable {
  /** Rows the source sent (its CommandComplete tag); set once the COPY has finished. */
  rowCount = 0;
  /** CopyData payload bytes passed on so far (without the frame headers). */
  payloadBytes = 0;
  private readonly frames = new CopyOutFrames();
  private connection: PgConnection | undefined;
  private parser: ((chunk: Buffer) => void) | undefined;
  private attached = false;
  private finished = false;
  /** Destroyed by the consumer: the rest of the data is read and dropped, to give the socket back. */
  private discarding = false;

  constructor(readonly text: string) {
    super();
  }

  submit(connection: pg.Connection): void {
    this.connection = connection as PgConnection;
    const socket = connection.stream;
    const listeners = socket.listeners("data") as ((chunk: Buffer) => void)[];
    if (listeners.length !== 1)
      throw new Error(`CopyOutQuery: expected one data listener, found ${listeners.length}`);
    this.parser = listeners[0];
    // The socket's chunks come here instead of to the client's parser until the data ends. They
    // arrive as 'data' events (not read()), so that no chunks are joined into a new buffer.
    socket.removeListener("data", this.parser as (chunk: Buffer) => void);
    socket.on("data", this.onData);
    this.attached = true;
    connection.query(this.text);
  }

  override _read(): void {
    if (this.attached) this.connection?.stream.resume();
  }

  private readonly onData = (chunk: Buffer) => {
    try {
      const scan = this.frames.push(chunk);
      this.payloadBytes += scan.payloadBytes;
      let more = true;
      // All of a chunk's frames go on, even past the high-water mark; then the socket waits.
      if (!this.discarding) for (const piece of scan.forward) more = this.push(piece) && more;
      // The stream ends at ReadyForQuery (handleReadyForQuery), once CommandComplete has given the
      // row count: CopyDone may arrive a chunk before it.
      if (scan.end) this.handBack(scan.end.rest);
      else if (!more) this.connection?.stream.pause();
    } catch (error) {
      // Not a COPY stream the parser could make sense of either: the connection cannot be used on.
      this.attached = false;
      this.connection?.stream.destroy(error as Error);
      this.destroy(error as Error);
    }
  };

  /** Gives the socket back to the client's parser, with the bytes that follow the data. */
  private handBack(rest: Buffer): void {
    const connection = this.connection;
    const parser = this.parser;
    if (!this.attached || !connection || !parser) return;
    this.attached = false;
    const socket = connection.stream;
    socket.removeListener("data", this.onData);
    socket.on("data", parser);
    if (rest.length > 0) parser(rest);
    socket.resume();
  }

  override _destroy(error: Error | null, done: (error?: Error | null) => void): void {
    // The source goes on sending until its COPY ends: drop what comes, so that the client's parser
    // gets the socket back at CommandComplete (closing the connection ends it sooner).
    if (this.attached) {
      this.discarding = true;
      this.connection?.stream.resume();
    }
    done(error);
  }

  private end(): void {
    if (this.finished) return;
    this.finished = true;
    this.push(null);
  }

  handleCommandComplete(message: unknown): void {
    this.rowCount = commandRows(message) ?? this.rowCount;
  }

  handleReadyForQuery(): void {
    this.end();
  }

  handleError(error: Error): void {
    // A dying connection reaches here while the socket is still ours.
    this.handBack(Buffer.alloc(0));
    this.destroy(error);
  }
}

export class CopyInQuery extends Writable implements pg.Submittable {
  /** Rows the destination stored (its CommandComplete tag). */
  rowCount = 0;
  private readonly frames = new CopyInFrames();
  private connection: PgConnection | undefined;
  /** The backend is in COPY IN mode (CopyInResponse arrived). */
  private copying = false;
  /** A write that came before CopyInResponse, sent when it arrives. */
  private early: { chunk: Buffer; done: (error?: Error | null) => void } | undefined;
  private finishing: ((error?: Error | null) => void) | undefined;
  private finalWaiting = false;
  /** A destroy waiting for the server's answer to CopyFail. */
  private failing: ((error?: Error | null) => void) | undefined;
  private failMessage = "";
  private failPending = false;
  private over = false;

  constructor(readonly text: string) {
    super();
  }

  submit(connection: pg.Connection): void {
    this.connection = connection as PgConnection;
    connection.query(this.text);
  }

  /** node-postgres may wrap this for its query_timeout; the stream reports through its events. */
  callback(): void {}

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    if (!this.copying) {
      this.early = { chunk, done };
      return;
    }
    this.send(chunk, done);
  }

  private send(chunk: Buffer, done: (error?: Error | null) => void): void {
    try {
      this.frames.advance(chunk);
    } catch (error) {
      done(error as Error);
      return;
    }
    const socket = this.connection?.stream;
    if (!socket) {
      done(new Error("CopyInQuery: the connection is gone"));
      return;
    }
    if (socket.write(chunk)) done();
    else socket.once("drain", () => done());
  }

  override _final(done: (error?: Error | null) => void): void {
    if (!this.copying) {
      this.finalWaiting = true;
      this.finishing = done;
      return;
    }
    this.finish(done);
  }

  private finish(done: (error?: Error | null) => void): void {
    if (!this.frames.atBoundary) {
      done(new Error("the COPY data ended inside a CopyData frame"));
      return;
    }
    this.finishing = done;
    this.connection?.stream.write(COPY_DONE);
  }

  override _destroy(error: Error | null, done: (error?: Error | null) => void): void {
    if (this.over) {
      done(error);
      return;
    }
    this.failing = done;
    this.failMessage = error?.message ?? "the copy was cancelled";
    this.early = undefined;
    if (this.copying) this.fail();
    else this.failPending = true;
  }

  /** CopyFail, on a frame boundary: the frame in progress is completed first. */
  private fail(): void {
    const connection = this.connection;
    if (!connection) {
      this.failPending = true;
      return;
    }
    if (this.completeFrame(connection, this.failMessage)) connection.sendCopyFail(this.failMessage);
  }

  /**
   * Pads the frame in progress with zeros, so that the next message starts on a boundary; false
   * when the connection was closed instead (past FILL_LIMIT, a closed connection rolls the COPY
   * back on the server just as well).
   */
  private completeFrame(connection: PgConnection, reason: string): boolean {
    if (this.frames.owed > FILL_LIMIT) {
      connection.stream.destroy(new Error(reason));
      return false;
    }
    while (!this.frames.atBoundary) connection.stream.write(this.frames.fill(FILL_PIECE));
    return true;
  }

  handleCopyInResponse(): void {
    this.copying = true;
    if (this.failPending) {
      this.failPending = false;
      this.fail();
      return;
    }
    const early = this.early;
    this.early = undefined;
    if (early) this.send(early.chunk, early.done);
    if (this.finalWaiting && this.finishing) {
      this.finalWaiting = false;
      this.finish(this.finishing);
    }
  }

  handleCommandComplete(message: unknown): void {
    this.rowCount = commandRows(message) ?? this.rowCount;
  }

  handleReadyForQuery(): void {
    this.over = true;
    const done = this.finishing;
    this.finishing = undefined;
    done?.();
  }

  handleError(error: Error): void {
    // The server ended the COPY (out of space, say) while a frame was on its way: it reads the rest
    // of that frame before any other message, so the frame is completed before the client sends
    // its next query (the ROLLBACK), or that query would be read as COPY data and never answered.
    if (!this.over && this.connection && !this.frames.atBoundary)
      this.completeFrame(this.connection, error.message);
    this.over = true;
    const failing = this.failing;
    this.failing = undefined;
    if (failing) {
      failing(error);
      return;
    }
    const finishing = this.finishing;
    this.finishing = undefined;
    if (finishing) finishing(error);
    else this.destroy(error);
  }
}
