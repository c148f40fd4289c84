/**
 * Dotted names as a profile writes them: `schema.table` and `schema.table.column`. A part that holds
 * a dot, a double quote or upper-case letters may be double-quoted as in SQL (`public."Order.v2".id`,
 * `""` for a quote inside); an unquoted part is taken as written (no case folding: the names are
 * compared with the catalog's exactly).
 */
export function splitQualifiedName(text: string): string[] | undefined {
  const parts: string[] = [];
  let i = 0;
  while (i <= text.length) {
    let part = "";
    if (text[i] === '"') {
      i++;
      for (;;) {
        if (i >= text.length) return undefined;
        if (text[i] === '"') {
          if (text[i + 1] === '"') {
            part += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        part += text[i];
        i++;
      }
      if (i < text.length && text[i] !== ".") return undefined;
    } else {
      const end = text.indexOf(".", i);
      part = text.slice(i, end < 0 ? text.length : end);
      if (part.includes('"')) return undefined;
      i = end < 0 ? text.length : end;
    }
    if (part === "") return undefined;
    parts.push(part);
    if (i >= text.length) break;
    i++; // the dot
    if (i >= text.length) return undefined;
  }
  return parts;
}

/** `schema.table.column` as its three parts, or undefined when it is not one. */
export function parseColumnName(
  text: string,
): { readonly schema: string; readonly table: string; readonly column: string } | undefined {
  const parts = splitQualifiedName(text);
  if (parts?.length !== 3) return undefined;
  const [schema, table, column] = parts as [string, string, string];
  return { schema, table, column };
}

/** `schema.table` as its two parts, or undefined when it is not one. */
export function parseTableName(text: string): { readonly schema: string; readonly name: string } | undefined {
  const parts = splitQualifiedName(text);
  if (parts?.length !== 2) return undefined;
  const [schema, name] = parts as [string, string];
  return { schema, name };
}

/** The display form: parts quoted only where they need it, so `parse(format(x))` gives x back. */
export function formatQualifiedName(parts: readonly string[]): string {
  return parts.map((p) => (/^[a-z_][a-z0-9_$]*$/.test(p) ? p : `"${p.replaceAll('"', '""')}"`)).join(".");
}
