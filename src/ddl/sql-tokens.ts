/**
 * A small SQL tokenizer: just enough to find identifiers and literals in text that the server's
 * deparser produced (pg_get_expr, pg_get_constraintdef, pg_get_indexdef, format_type).
 */

export type TokenKind =
  | "space"
  | "comment"
  | "ident"
  | "quoted-ident"
  | "string"
  | "dollar-string"
  | "number"
  | "op";

export interface Token {
  readonly kind: TokenKind;
  readonly text: string;
}

// The server's lexer: any non-ASCII character may be part of a name or a dollar-quote tag, and
// only these six characters are white space (U+00A0 and the other Unicode spaces are name characters).
const IDENT_START = /[A-Za-z_\u0080-\uffff]/;
const IDENT_PART = /[A-Za-z0-9_$\u0080-\uffff]/;
const SPACE = /[ \t\n\r\f\v]/;
const DOLLAR_TAG = /^\$([A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*)?\$/;

export function tokenize(sql: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const push = (kind: TokenKind, end: number) => {
    tokens.push({ kind, text: sql.slice(i, end) });
    i = end;
  };
  while (i < sql.length) {
    const ch = sql[i] as string;
    const next = sql[i + 1];
    if (SPACE.test(ch)) {
      let j = i + 1;
      while (j < sql.length && SPACE.test(sql[j] as string)) j++;
      push("space", j);
    } else if (ch === "-" && next === "-") {
      const nl = sql.slice(i).search(/[\n\r]/);
      push("comment", nl === -1 ? sql.length : i + nl);
    } else if (ch === "/" && next === "*") {
      push("comment", blockCommentEnd(sql, i));
    } else if (ch === '"') {
      push("quoted-ident", quotedEnd(sql, i + 1, '"'));
    } else if (ch === "'") {
      push("string", quotedEnd(sql, i + 1, "'"));
    } else if ((ch === "E" || ch === "e") && next === "'") {
      push("string", escapeStringEnd(sql, i + 2));
    } else if (ch === "$" && /[A-Za-z_$\u0080-\uffff]/.test(next ?? "")) {
      const m = DOLLAR_TAG.exec(sql.slice(i));
      if (m) {
        const close = sql.indexOf(m[0], i + m[0].length);
        push("dollar-string", close === -1 ? sql.length : close + m[0].length);
      } else {
        push("op", i + 1);
      }
    } else if (IDENT_START.test(ch)) {
      let j = i + 1;
      while (j < sql.length && IDENT_PART.test(sql[j] as string)) j++;
      push("ident", j);
    } else if (/[0-9]/.test(ch)) {
      let j = i + 1;
      while (j < sql.length && /[0-9.eE]/.test(sql[j] as string)) j++;
      push("number", j);
    } else {
      push("op", i + 1);
    }
  }
  return tokens;
}

function quotedEnd(sql: string, from: number, quote: string): number {
  let j = from;
  while (j < sql.length) {
    if (sql[j] === quote) {
      if (sql[j + 1] === quote) {
        j += 2;
        continue;
      }
      return j + 1;
    }
    j++;
  }
  return sql.length;
}

function escapeStringEnd(sql: string, from: number): number {
  let j = from;
  while (j < sql.length) {
    if (sql[j] === "\\") {
      j += 2;
      continue;
    }
    if (sql[j] === "'") {
      if (sql[j + 1] === "'") {
        j += 2;
        continue;
      }
      return j + 1;
    }
    j++;
  }
  return sql.length;
}

function blockCommentEnd(sql: string, from: number): number {
  let depth = 0;
  let j = from;
  while (j < sql.length) {
    if (sql[j] === "/" && sql[j + 1] === "*") {
      depth++;
      j += 2;
    } else if (sql[j] === "*" && sql[j + 1] === "/") {
      depth--;
      j += 2;
      if (depth === 0) return j;
    } else {
      j++;
    }
  }
  return sql.length;
}

/**
 * The name an identifier token stands for: quoted names keep their case, bare ones fold to lower
 * case as the server folds them, ASCII letters only (`ÉCOLE` is the name `École`).
 */
export function identName(token: Token): string {
  if (token.kind === "quoted-ident") return token.text.slice(1, -1).replaceAll('""', '"');
  return token.text.replace(/[A-Z]+/g, (letters) => letters.toLowerCase());
}

export function isIdent(token: Token | undefined): token is Token {
  return token !== undefined && (token.kind === "ident" || token.kind === "quoted-ident");
}
