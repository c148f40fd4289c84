/**
 * Identifier and literal quoting. Identifiers are always double-quoted: the set of keywords differs
 * between server versions, and a quoted name is correct on every one of them.
 */

export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

export function qualify(schema: string, name: string): string {
  return `${quoteIdent(schema)}.${quoteIdent(name)}`;
}

export function quoteLiteral(value: string): string {
  if (value.includes("\\")) return `E'${value.replaceAll("\\", "\\\\").replaceAll("'", "''")}'`;
  return `'${value.replaceAll("'", "''")}'`;
}
