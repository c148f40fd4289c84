/**
 * The COPY forwarding's framing (src/copy/copy-stream.ts), fed protocol bytes as a socket delivers
 * them: the same byte sequence cut at every possible offset (and into single bytes, and at random
 * points) must give the same forwarded bytes, the same payload count and the same hand-back to the
 * client's parser. Streams that end in an ErrorResponse midway, and a COPY IN cut inside a frame,
 * are covered too. The integration suites (foundation-failure, fault-suite, large-objects) run the
 * same code against real servers.
 */
import { createHash } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CopyInFrames, CopyOutFrames } from "../../src/copy/copy-stream.js";

const message = (type: string, body: Buffer | string) => {
  const payload = typeof body === "string" ? Buffer.from(body) : body;
  const header = Buffer.alloc(5);
  header.write(type, 0, "latin1");
  header.writeUInt32BE(payload.length + 4, 1);
  return Buffer.concat([header, payload]);
};
const cstring = (s: string) => Buffer.from(`${s}\0`);
const copyData = (payload: Buffer | string) => message("d", payload);
const bytes = (n: number, seed: number) =>
  Buffer.from(Array.from({ length: n }, (_, i) => (i * 31 + seed) % 256));

/** What a backend sends for a COPY TO STDOUT of a few rows, with messages interspersed. */
function copyOut(ending: "done" | "error") {
  const frames = [
    copyData("1\tone\n"),
    copyData(""),
    copyData(bytes(300, 7)),
    copyData(bytes(4, 1)),
    copyData(bytes(2_000, 3)),
  ];
  const notice = message("N", Buffer.concat([cstring("SNOTICE"), cstring("Mhello"), Buffer.from([0])]));
  const parameter = message("S", Buffer.concat([cstring("TimeZone"), cstring("UTC")]));
  const notification = message(
    "A",
    Buffer.concat([Buffer.from([0, 0, 0, 9]), cstring("chan"), cstring("x")]),
  );
  const start = message("H", Buffer.from([0, 0, 1, 0, 0]));
  const before = [start, frames[0], notice, frames[1], frames[2], parameter, frames[3], notification];
  const error = message(
    "E",
    Buffer.concat([cstring("SERROR"), cstring("C57014"), cstring("Mcanceled"), Buffer.from([0])]),
  );
  const after =
    ending === "done"
      ? [frames[4], message("c", ""), message("C", cstring("COPY 5")), message("Z", "I")]
      : [frames[4], error, message("Z", "I")];
  const all = Buffer.concat([...before, ...after] as Buffer[]);
  const forwarded = Buffer.concat(frames as Buffer[]);
  const payload = frames.reduce((n, f) => n + (f as Buffer).length - 5, 0);
  // What the client's parser must get: after CopyDone, or from the ErrorResponse on.
  const rest =
    ending === "done"
      ? Buffer.concat([message("C", cstring("COPY 5")), message("Z", "I")])
      : Buffer.concat([error, message("Z", "I")]);
  return { all, forwarded, payload, rest };
}

/** Feeds the chunks until the data ends; the parser gets the end's rest and every later chunk. */
function scan(chunks: readonly Buffer[]) {
  const frames = new CopyOutFrames();
  const forwarded: Buffer[] = [];
  let payload = 0;
  let reason: string | undefined;
  const handedBack: Buffer[] = [];
  for (const chunk of chunks) {
    if (reason) {
      handedBack.push(chunk);
      continue;
    }
    const s = frames.push(chunk);
    forwarded.push(...s.forward);
    payload += s.payloadBytes;
    if (s.end) {
      reason = s.end.reason;
      handedBack.push(s.end.rest);
    }
  }
  return summary(Buffer.concat(forwarded), payload, reason, Buffer.concat(handedBack));
}

/** Compared as digests: thousands of cuts, each a deep comparison of whole buffers, would be slow. */
function summary(forwarded: Buffer, payload: number, reason: string | undefined, handedBack: Buffer) {
  const digest = (b: Buffer) => `${b.length}:${createHash("sha256").update(b).digest("hex")}`;
  return { forwarded: digest(forwarded), payload, reason, handedBack: digest(handedBack) };
}

const cutAt = (all: Buffer, points: readonly number[]) => {
  const sorted = [...new Set(points)].filter((p) => p > 0 && p < all.length).sort((a, b) => a - b);
  const out: Buffer[] = [];
  let from = 0;
  for (const p of [...sorted, all.length]) {
    out.push(all.subarray(from, p));
    from = p;
  }
  return out;
};

describe.each(["done", "error"] as const)("CopyOutFrames, a COPY OUT that ends in %s", (ending) => {
  const { all, forwarded, payload, rest } = copyOut(ending);
  const expected = summary(forwarded, payload, ending === "done" ? "done" : "other", rest);

  it("forwards exactly the CopyData frames and hands the rest back, in one chunk", () => {
    expect(scan([all])).toEqual(expected);
  });

  it("gives the same result for the sequence cut at every offset", () => {
    for (let k = 1; k < all.length; k++) expect(scan(cutAt(all, [k]))).toEqual(expected);
  });

  it("gives the same result for single-byte chunks", () => {
    expect(
      scan(
        cutAt(
          all,
          Array.from({ length: all.length }, (_, i) => i),
        ),
      ),
    ).toEqual(expected);
  });

  it("gives the same result for any set of cuts", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: all.length - 1 }), { maxLength: 40 }), (points) => {
        expect(scan(cutAt(all, points))).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });

  it("tells the writer where each forwarded piece ends, the same as walking its frames would", () => {
    for (let k = 1; k < all.length; k += 7) {
      const frames = new CopyOutFrames();
      const trusting = new CopyInFrames();
      const walking = new CopyInFrames();
      for (const chunk of cutAt(all, [k, k + 3, Math.floor(k / 2)])) {
        const s = frames.push(chunk);
        for (const piece of s.forward) {
          trusting.advance(piece);
          walking.advance(Buffer.from(piece)); // a copy: not one the reader framed
          expect([trusting.owed, trusting.atBoundary]).toEqual([walking.owed, walking.atBoundary]);
        }
        if (s.end) break;
      }
      expect(trusting.atBoundary).toBe(true);
    }
  });

  it("forwards views of the chunk, not copies, when no header is cut", () => {
    const frames = new CopyOutFrames();
    const chunk = Buffer.concat([copyData("a\n"), copyData("bb\n"), copyData("ccc\n")]);
    const s = frames.push(chunk);
    expect(s.forward).toHaveLength(1);
    expect((s.forward[0] as Buffer).buffer).toBe(chunk.buffer);
    expect(s.forward[0]).toEqual(chunk);
    expect(s.payloadBytes).toBe(9);
  });
});

describe("CopyOutFrames on bad input", () => {
  it("refuses to go on after the data ended", () => {
    const frames = new CopyOutFrames();
    frames.push(Buffer.concat([copyData("x"), message("c", "")]));
    expect(() => frames.push(copyData("y"))).toThrow("already ended");
  });

  it("refuses a length below 4", () => {
    const frames = new CopyOutFrames();
    expect(() => frames.push(Buffer.from([0x64, 0, 0, 0, 3]))).toThrow("invalid message length 3");
  });
});

describe("CopyInFrames", () => {
  const stream = Buffer.concat([copyData("row 1\n"), copyData(""), copyData(bytes(1000, 5)), copyData("z")]);
  /** Offsets at which a frame ends (and the stream is at a boundary). */
  const boundaries = new Set([0, 11, 16, 1021, stream.length]);

  it("knows at every offset whether a frame is complete, and how much of its payload is owed", () => {
    for (let k = 0; k <= stream.length; k++) {
      const frames = new CopyInFrames();
      frames.advance(stream.subarray(0, k));
      expect(frames.atBoundary).toBe(boundaries.has(k));
      if (frames.atBoundary) expect(frames.owed).toBe(0);
    }
  });

  it("completes a frame cut at any offset, so that what was written plus the fill is whole frames", () => {
    for (let k = 0; k <= stream.length; k++) {
      const frames = new CopyInFrames();
      frames.advance(stream.subarray(0, k));
      const fill: Buffer[] = [];
      while (!frames.atBoundary) fill.push(frames.fill(7));
      const written = Buffer.concat([stream.subarray(0, k), ...fill]);
      // The written bytes read back as CopyData frames only, ending on a boundary.
      const check = new CopyInFrames();
      check.advance(written);
      expect(check.atBoundary).toBe(true);
      // The fill is no longer than the frame in progress needed.
      const next = [...boundaries].filter((b) => b >= k).sort((a, b) => a - b)[0] as number;
      if (k >= 5 && !boundaries.has(k) && frameHeaderComplete(k)) expect(written.length).toBe(next);
    }
  });

  it("refuses anything but CopyData", () => {
    expect(() => new CopyInFrames().advance(message("c", ""))).toThrow("only CopyData frames");
    expect(() => new CopyInFrames().advance(Buffer.from([0x64, 0, 0, 0, 2]))).toThrow(
      "invalid CopyData length 2",
    );
  });

  function frameHeaderComplete(k: number): boolean {
    // True when offset k lies inside a frame's payload (its 5-byte header fully written).
    const starts = [0, 11, 16, 1021];
    const start = starts.filter((s) => s <= k).pop() as number;
    return k - start >= 5;
  }
});
