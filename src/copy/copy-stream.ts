/**
 * The framing side of forwarding a COPY: the backend sends a COPY OUT as CopyData messages
 * ('d', int32 length, payload), and a frontend sends a COPY IN as CopyData messages of exactly the
 * same framing. So a source's COPY OUT can go to the destination's COPY IN as the very bytes that
 * arrived, whole runs of frames at a time, without copying each payload into a new buffer and
 * wrapping it in a new header. Only the 5-byte headers are read, to find where the run of CopyData
 * ends and to leave out the messages the backend may intersperse (NoticeResponse, ParameterStatus,
 * NotificationResponse), which must not reach the destination.
 *
 * Pure: fed socket chunks cut anywhere (a header may straddle two chunks), it produces the same
 * bytes whatever the cuts. The node-postgres side is in copy-stream-query.ts.
 */

const HEADER = 5;
const COPY_DATA = 0x64; // 'd'
const COPY_DONE = 0x63; // 'c'
/** Sent before or between CopyData, to be passed over: CopyOutResponse, NoticeResponse, ParameterStatus, NotificationResponse. */
const PASSED_OVER = new Set([0x48, 0x4e, 0x53, 0x41]); // 'H' 'N' 'S' 'A'

/**
 * For each buffer CopyOutFrames forwards, the payload bytes its last frame still owes after it (0:
 * the buffer ends on a frame boundary). A writer given the same buffer (streams pass chunks on as
 * they are) need not walk its frames again; any other buffer it walks itself (CopyInFrames.advance).
 */
export const owedAfter = new WeakMap<Buffer, number>();

export interface CopyOutEnd {
  /** "done": the backend sent CopyDone; "other": another message ended the data (an ErrorResponse). */
  readonly reason: "done" | "other";
  /**
   * What follows, for the client's own parser: after CopyDone (CommandComplete, ReadyForQuery), or
   * from the message that ended the data (the ErrorResponse itself). Bytes of later chunks follow it.
   */
  readonly rest: Buffer;
}

export interface CopyOutScan {
  /** CopyData frames, whole or in part, in order: what to write to the destination as they are. */
  readonly forward: readonly Buffer[];
  /** Payload bytes (without the headers) in `forward`. */
  readonly payloadBytes: number;
  /** Set when the COPY data ended in this chunk; no further chunk may be pushed. */
  readonly end?: CopyOutEnd;
}

/**
 * Reads a backend's COPY OUT message stream chunk by chunk. The forwarded buffers are views of the
 * chunks (no bytes are copied), except a CopyData header that straddles two chunks, which is passed
 * as a 5-byte buffer of its own.
 */
export class CopyOutFrames {
  /** Header bytes collected so far (0 when at a message boundary or inside a body). */
  private readonly header = Buffer.alloc(HEADER);
  private headerFill = 0;
  private type = 0;
  private bodyLeft = 0;
  private ended = false;

  push(chunk: Buffer): CopyOutScan {
    if (this.ended) throw new Error("CopyOutFrames: the COPY data already ended");
    const forward: Buffer[] = [];
    let payloadBytes = 0;
    // Start of the run of forwardable bytes in this chunk, or -1 when not in one.
    let run = -1;
    const closeRun = (at: number) => {
      if (run >= 0 && at > run) {
        const piece = chunk.subarray(run, at);
        owedAfter.set(piece, this.type === COPY_DATA ? this.bodyLeft : 0);
        forward.push(piece);
      }
      run = -1;
    };
    let i = 0;
    while (i < chunk.length) {
      if (this.bodyLeft > 0) {
        const n = Math.min(this.bodyLeft, chunk.length - i);
        if (this.type === COPY_DATA) {
          if (run < 0) run = i;
          payloadBytes += n;
        }
        i += n;
        this.bodyLeft -= n;
        if (this.bodyLeft === 0 && this.type === COPY_DONE)
          return this.finish(forward, payloadBytes, "done", chunk.subarray(i));
        continue;
      }
      let headerStart: number;
      if (this.headerFill === 0 && chunk.length - i >= HEADER) {
        // The common case: the whole header is in this chunk.
        headerStart = i;
        this.type = chunk[i] as number;
        this.bodyLeft = chunk.readUInt32BE(i + 1) - 4;
        i += HEADER;
      } else {
        // A header cut by the chunk's end: collect its bytes, decide once it is whole.
        closeRun(i);
        headerStart = -1;
        const n = Math.min(HEADER - this.headerFill, chunk.length - i);
        chunk.copy(this.header, this.headerFill, i, i + n);
        this.headerFill += n;
        i += n;
        if (this.headerFill < HEADER) break;
        this.headerFill = 0;
        this.type = this.header[0] as number;
        this.bodyLeft = this.header.readUInt32BE(1) - 4;
      }
      if (this.bodyLeft < 0) throw new Error(`CopyOutFrames: invalid message length ${this.bodyLeft + 4}`);
      if (this.type === COPY_DATA) {
        if (headerStart < 0) {
          const header = Buffer.from(this.header);
          owedAfter.set(header, this.bodyLeft);
          forward.push(header);
        } else if (run < 0) run = headerStart;
        continue;
      }
      closeRun(headerStart < 0 ? i : headerStart);
      if (PASSED_OVER.has(this.type)) continue;
      if (this.type === COPY_DONE) {
        if (this.bodyLeft === 0) return this.finish(forward, payloadBytes, "done", chunk.subarray(i));
        continue;
      }
      // Anything else ends the data and belongs to the client's parser, header included.
      const rest =
        headerStart >= 0 ? chunk.subarray(headerStart) : Buffer.concat([this.header, chunk.subarray(i)]);
      return this.finish(forward, payloadBytes, "other", rest);
    }
    closeRun(chunk.length);
    return { forward, payloadBytes };
  }

  private finish(
    forward: Buffer[],
    payloadBytes: number,
    reason: CopyOutEnd["reason"],
    rest: Buffer,
  ): CopyOutScan {
    this.ended = true;
    return { forward, payloadBytes, end: { reason, rest } };
  }
}

/**
 * Follows the CopyData frames written to a destination, reading only their headers, so that a COPY
 * cut midway (an error on either side) can be ended on a frame boundary: CopyFail sent inside an
 * unfinished frame would be read as its payload. Refuses anything but CopyData.
 */
export class CopyInFrames {
  private readonly header = Buffer.alloc(HEADER);
  private headerFill = 0;
  private bodyLeft = 0;

  /** Payload bytes still owed to the frame in progress (0 at a boundary or inside a cut header). */
  get owed(): number {
    return this.bodyLeft;
  }

  /** True at a frame boundary: CopyDone or CopyFail may follow. */
  get atBoundary(): boolean {
    return this.headerFill === 0 && this.bodyLeft === 0;
  }

  /** Takes note of bytes about to be written; throws on anything that is not a CopyData frame. */
  advance(chunk: Buffer): void {
    const owed = owedAfter.get(chunk);
    if (owed !== undefined && this.headerFill === 0) {
      // Framed by CopyOutFrames, which walked its headers already: only where it ends matters.
      this.bodyLeft = owed;
      return;
    }
    let i = 0;
    while (i < chunk.length) {
      if (this.bodyLeft > 0) {
        const n = Math.min(this.bodyLeft, chunk.length - i);
        i += n;
        this.bodyLeft -= n;
        continue;
      }
      let type: number;
      let length: number;
      if (this.headerFill === 0 && chunk.length - i >= HEADER) {
        // The common case, read in place (a copy per frame costs more than the frame's forwarding).
        type = chunk[i] as number;
        length = chunk.readUInt32BE(i + 1);
        i += HEADER;
      } else {
        const n = Math.min(HEADER - this.headerFill, chunk.length - i);
        chunk.copy(this.header, this.headerFill, i, i + n);
        this.headerFill += n;
        i += n;
        if (this.headerFill < HEADER) return;
        this.headerFill = 0;
        type = this.header[0] as number;
        length = this.header.readUInt32BE(1);
      }
      if (type !== COPY_DATA)
        throw new Error(`only CopyData frames may be forwarded, got message type ${type}`);
      if (length < 4) throw new Error(`CopyInFrames: invalid CopyData length ${length}`);
      this.bodyLeft = length - 4;
    }
  }

  /**
   * Up to `max` bytes that bring the frame in progress to its end, so that a CopyFail can follow:
   * zeros for the rest of its payload (the backend then fails the COPY on them, or on the CopyFail).
   * A cut header is completed first (its missing length bytes zero, or 4 where that would leave a
   * length below 4). Call until atBoundary.
   */
  fill(max: number): Buffer {
    if (this.headerFill > 0) {
      const missing = HEADER - this.headerFill;
      const rest = Buffer.alloc(missing);
      const prefix = this.header.subarray(1, this.headerFill);
      if (prefix.every((b) => b === 0)) rest[missing - 1] = 4;
      this.advance(rest);
      return rest;
    }
    const out = Buffer.alloc(Math.min(max, this.bodyLeft));
    this.advance(out);
    return out;
  }
}
