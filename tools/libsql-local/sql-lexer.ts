// A small SQLite tokenizer, just precise enough to split SQL text into statements and to find bound
// parameters the way SQLite numbers them. sqld parses SQL itself and rejects what the native binding
// would silently accept (two statements in one prepare), so we need to see statement boundaries without
// being fooled by semicolons inside strings, quoted identifiers, comments or trigger bodies.

export type TokenKind = "word" | "string" | "quoted" | "number" | "param" | "punct" | "semicolon"

export interface Token {
  kind: TokenKind
  /** The token's source text (for `word`: as written; compare with `upper`). */
  text: string
  /** Uppercased text, handy for keyword checks. */
  upper: string
  start: number
  end: number
}

/** Splits SQL into tokens, skipping whitespace and comments. Never throws: an unterminated string or
 *  comment runs to the end of the text, and SQLite reports the error when the statement is prepared. */
export function tokenize(sql: string): Token[] {
  const tokens: Token[] = []
  let i = 0
  const push = (kind: TokenKind, start: number, end: number) => {
    const text = sql.slice(start, end)
    tokens.push({ kind, text, upper: text.toUpperCase(), start, end })
  }
  while (i < sql.length) {
    const c = sql[i] as string
    const next = sql[i + 1]
    if (isSpace(c)) {
      i++
    } else if (c === "-" && next === "-") {
      const newline = sql.indexOf("\n", i + 2)
      i = newline === -1 ? sql.length : newline + 1
    } else if (c === "/" && next === "*") {
      const close = sql.indexOf("*/", i + 2)
      i = close === -1 ? sql.length : close + 2
    } else if (c === "'") {
      const end = scanQuoted(sql, i, "'")
      push("string", i, end)
      i = end
    } else if ((c === "x" || c === "X") && next === "'") {
      const end = scanQuoted(sql, i + 1, "'")
      push("string", i, end)
      i = end
    } else if (c === '"' || c === "`") {
      const end = scanQuoted(sql, i, c)
      push("quoted", i, end)
      i = end
    } else if (c === "[") {
      const close = sql.indexOf("]", i + 1)
      const end = close === -1 ? sql.length : close + 1
      push("quoted", i, end)
      i = end
    } else if (c === ";") {
      push("semicolon", i, i + 1)
      i++
    } else if (isDigit(c) || (c === "." && next !== undefined && isDigit(next))) {
      const end = scanNumber(sql, i)
      push("number", i, end)
      i = end
    } else if (c === "?") {
      let end = i + 1
      while (end < sql.length && isDigit(sql[end] as string)) end++
      push("param", i, end)
      i = end
    } else if (c === ":" || c === "@" || c === "$" || c === "#") {
      const end = scanNamedParam(sql, i)
      push(end > i + 1 ? "param" : "punct", i, end)
      i = end
    } else if (isIdStart(c)) {
      let end = i + 1
      while (end < sql.length && isIdChar(sql[end] as string)) end++
      push("word", i, end)
      i = end
    } else {
      push("punct", i, i + 1)
      i++
    }
  }
  return tokens
}

/** One statement of a SQL text: its tokens, without the terminating semicolon. */
export interface StatementTokens {
  tokens: Token[]
  /** The statement's text, from its first token to its last (comments around it dropped). */
  text: string
}

/** Splits tokens at top-level semicolons. Semicolons inside a CREATE TRIGGER body (BEGIN ... END) do
 *  not end the statement. Empty statements (`;;`, a comment alone) are dropped, as SQLite's parser does. */
export function splitStatements(sql: string): StatementTokens[] {
  const statements: StatementTokens[] = []
  let current: Token[] = []
  let inTriggerBody = false
  let caseDepth = 0
  const finish = () => {
    const first = current[0]
    const last = current[current.length - 1]
    if (first && last) statements.push({ tokens: current, text: sql.slice(first.start, last.end) })
    current = []
    inTriggerBody = false
    caseDepth = 0
  }
  for (const token of tokenize(sql)) {
    if (token.kind === "semicolon" && !inTriggerBody) {
      finish()
      continue
    }
    current.push(token)
    if (token.kind !== "word") continue
    if (!inTriggerBody) {
      if (token.upper === "BEGIN" && isCreateTrigger(current)) inTriggerBody = true
    } else if (token.upper === "CASE") {
      caseDepth++
    } else if (token.upper === "END") {
      if (caseDepth > 0) caseDepth--
      else inTriggerBody = false
    }
  }
  finish()
  return statements
}

function isCreateTrigger(tokens: Token[]): boolean {
  const words = tokens.slice(0, 3).map((token) => token.upper)
  if (words[0] !== "CREATE") return false
  return (
    words[1] === "TRIGGER" || ((words[1] === "TEMP" || words[1] === "TEMPORARY") && words[2] === "TRIGGER")
  )
}

function scanQuoted(sql: string, start: number, quote: string): number {
  let i = start + 1
  while (i < sql.length) {
    if (sql[i] === quote) {
      if (sql[i + 1] === quote) i += 2
      else return i + 1
    } else {
      i++
    }
  }
  return sql.length
}

function scanNumber(sql: string, start: number): number {
  let i = start
  while (i < sql.length) {
    const c = sql[i] as string
    if (isIdChar(c) || c === ".") {
      i++
    } else if (
      (c === "+" || c === "-") &&
      /[eE]/.test(sql[i - 1] ?? "") &&
      !/^0[xX]/.test(sql.slice(start))
    ) {
      i++
    } else {
      break
    }
  }
  return i
}

/** `:name`, `@name`, `$name`, plus Tcl-style `$a::b` and `$a(x)` suffixes that SQLite also accepts. */
function scanNamedParam(sql: string, start: number): number {
  let i = start + 1
  let length = 0
  while (i < sql.length) {
    const c = sql[i] as string
    if (isIdChar(c)) {
      i++
      length++
    } else if (c === "(" && length > 0) {
      const close = sql.indexOf(")", i)
      return close === -1 ? sql.length : close + 1
    } else if (c === ":" && sql[i + 1] === ":") {
      i += 2
    } else {
      break
    }
  }
  return length > 0 ? i : start + 1
}

function isSpace(c: string): boolean {
  return c === " " || c === "\t" || c === "\n" || c === "\r" || c === "\f"
}

function isDigit(c: string): boolean {
  return c >= "0" && c <= "9"
}

function isIdStart(c: string): boolean {
  return (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || c === "_" || c.charCodeAt(0) >= 0x80
}

function isIdChar(c: string): boolean {
  return isIdStart(c) || isDigit(c) || c === "$"
}
