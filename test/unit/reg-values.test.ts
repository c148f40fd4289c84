import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import {
  decodeCopyText,
  encodeCopyText,
  mapArrayElements,
  StagedNameValues,
} from "../../src/copy/reg-values.js";

const frame = (payload: string) => {
  const body = Buffer.from(payload);
  const header = Buffer.alloc(5);
  header[0] = 0x64;
  header.writeUInt32BE(body.length + 4, 1);
  return Buffer.concat([header, body]);
};

/** The rows a transform passes on, from the frames it was fed cut at every `cuts` offset. */
async function run(transform: StagedNameValues, input: Buffer, cuts: number[]): Promise<string> {
  const out: Buffer[] = [];
  const sink = new PassThrough();
  sink.on("data", (c: Buffer) => out.push(c));
  transform.pipe(sink);
  let at = 0;
  for (const cut of [...cuts, input.length]) {
    transform.write(input.subarray(at, cut));
    at = cut;
  }
  await new Promise<void>((resolve, reject) => transform.end(() => resolve()).on("error", reject));
  const all = Buffer.concat(out);
  // Frames out: each one CopyData with a correct length.
  let text = "";
  for (let i = 0; i < all.length; ) {
    expect(all[i]).toBe(0x64);
    const length = all.readUInt32BE(i + 1);
    text += all.subarray(i + 5, i + 1 + length).toString();
    i += 1 + length;
  }
  return text;
}

const stage = (text: string, operator: boolean) =>
  operator ? text.replace(/^app\./, '"_s_1".') : text.replaceAll("app.", '"_s_1".');

describe("reg* values in a text COPY", () => {
  it("decodes and encodes COPY's backslash sequences", () => {
    expect(decodeCopyText("a\\tb\\\\c\\nd\\x41\\101")).toBe("a\tb\\c\ndAA");
    expect(encodeCopyText('a\tb\\c\nd"')).toBe('a\\tb\\\\c\\nd"');
  });

  it("maps each array element, keeping NULLs, bounds and nesting, quoting where array_out would", () => {
    const seen: string[] = [];
    const out = mapArrayElements('[0:1]={{app.t,NULL},{"app.\\"Odd, \\\\x\\"",""}}', (e) => {
      seen.push(e);
      return e.replace("app.", '"_s_1".');
    });
    expect(seen).toEqual(["app.t", 'app."Odd, \\x"', ""]);
    expect(out).toBe('[0:1]={{"\\"_s_1\\".t",NULL},{"\\"_s_1\\".\\"Odd, \\\\x\\"",""}}');
  });

  it("rewrites only the named columns of each row, whatever the chunks' cuts", async () => {
    const rows = "1\tapp.t\tapp.keep\t{app.a,pg_class}\n2\t\\N\tx\tapp.===(integer,app.t)\n";
    const input = Buffer.concat([frame(rows.slice(0, 9)), frame(rows.slice(9))]);
    const expected =
      '1\t"_s_1".t\tapp.keep\t{"\\\\"_s_1\\\\".a",pg_class}\n2\t\\N\tx\t"_s_1".===(integer,app.t)\n';
    for (const cuts of [[], [3], [5, 6, 7], Array.from({ length: input.length - 1 }, (_, i) => i + 1)]) {
      // Column 3 holds operators (regoperator): only the operator's own schema is staged by `stage`.
      const columns = [undefined, false, undefined, false];
      const mixed = new StagedNameValues(columns, (t, op) => stage(t, op || t.includes("===")));
      expect(await run(mixed, input, cuts)).toBe(expected);
    }
  });

  it("refuses a COPY that ends inside a row", async () => {
    const t = new StagedNameValues([false], stage);
    await expect(run(t, frame("1\tapp.t"), [])).rejects.toThrow("ended inside a row");
  });
});
