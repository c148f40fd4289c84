/**
 * One fingerprint line: `class <TAB> object <TAB> property <TAB> value`. Tabs, newlines and
 * backslashes inside a field are escaped, so a line is always one line and splits back into its
 * four fields; objects are named (schema-qualified), never by OID.
 */
import { isPropertyClass, type PropertyClassId } from "./classes.js";

export interface FingerprintLine {
  readonly cls: PropertyClassId;
  readonly object: string;
  readonly property: string;
  readonly value: string;
}

const escapeField = (text: string): string =>
  text.replace(/\\/g, "\\\\").replace(/\t/g, "\\t").replace(/\n/g, "\\n").replace(/\r/g, "\\r");

const unescapeField = (text: string): string =>
  text.replace(/\\(.)/g, (_, c: string) => (c === "t" ? "\t" : c === "n" ? "\n" : c === "r" ? "\r" : c));

/** A value as printed: NULL and the empty string stay distinct. */
export function show(value: unknown): string {
  if (value === null || value === undefined) return "NULL";
  if (Array.isArray(value)) return `{${value.map(show).join(",")}}`;
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

export function formatLine(cls: PropertyClassId, object: string, property: string, value: unknown): string {
  if (!isPropertyClass(cls)) throw new Error(`unknown property class ${cls}`);
  return [cls, object, property, show(value)].map(escapeField).join("\t");
}

export function parseLine(line: string): FingerprintLine {
  const fields = line.split("\t").map(unescapeField);
  const [cls, object, property, value] = fields;
  if (fields.length !== 4 || cls === undefined || !isPropertyClass(cls)) {
    throw new Error(`not a fingerprint line: ${JSON.stringify(line)}`);
  }
  return { cls, object: object ?? "", property: property ?? "", value: value ?? "" };
}

/** The part of a line that names what it describes (everything but the value). */
export function lineKey(line: string): string {
  return line.slice(0, line.lastIndexOf("\t"));
}

/** Sorted, without duplicates. */
export function sortLines(lines: Iterable<string>): string[] {
  return [...new Set(lines)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}
