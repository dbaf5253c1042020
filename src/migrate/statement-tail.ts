// Where the first statement of a SQL text ends, read as the database reads it: `op.execute` runs one
// statement, and the transports disagree about more. Neon HTTP and libSQL HTTP refuse a second one,
// Neon's WebSocket runs it, and embedded libSQL silently runs only the first, recording the revision
// as applied without the rest. So a second statement is refused everywhere, before anything is sent.
//
// Semicolons do not end a statement inside a string, a quoted name, a comment, a dollar-quoted body
// (PostgreSQL), parentheses (PostgreSQL's `CREATE RULE ... DO (a; b)`), or a CREATE statement's
// BEGIN ... END body (SQLite's triggers, PostgreSQL's `BEGIN ATOMIC`), where CASE ... END nests.

/** What follows the first statement of `sql` (trimmed), or undefined when nothing but comments does. */
export function textAfterFirstStatement(sql: string, dialect: "postgresql" | "sqlite"): string | undefined {
  const scan = new Scanner(sql, dialect)
  let depth = 0
  let block = 0
  let firstWord: string | undefined
  let ended = false
  for (let token = scan.next(); token !== undefined; token = scan.next()) {
    if (ended) {
      if (token.text !== ";") return sql.slice(token.start).trim()
      continue
    }
    const word = token.word?.toUpperCase()
    firstWord ??= word ?? ""
    if (token.text === "(") depth++
    else if (token.text === ")") depth = Math.max(0, depth - 1)
    else if (word === "BEGIN" && firstWord === "CREATE") block++
    else if (word === "CASE" && block > 0) block++
    else if (word === "END" && block > 0) block--
    else if (token.text === ";" && depth === 0 && block === 0) ended = true
  }
  return undefined
}

/** `sql` from its first token on: the comments and whitespace before it dropped. */
export function fromFirstToken(sql: string, dialect: "postgresql" | "sqlite"): string {
  const first = new Scanner(sql, dialect).next()
  return first === undefined ? "" : sql.slice(first.start)
}

interface Token {
  readonly start: number
  readonly text: string
  /** The token as a bare word, when it is one. */
  readonly word?: string
}

const WORD = /[A-Za-z0-9_$\u0080-\uffff]/

class Scanner {
  #at = 0

  constructor(
    private readonly sql: string,
    private readonly dialect: "postgresql" | "sqlite",
  ) {}

  /** The next token, past whitespace and comments; quoted things come whole. */
  next(): Token | undefined {
    const { sql } = this
    for (;;) {
      while (this.#at < sql.length && /\s/.test(sql[this.#at] as string)) this.#at++
      if (this.#at >= sql.length) return undefined
      const start = this.#at
      const pair = sql.slice(start, start + 2)
      if (pair === "--") this.#at = this.#until("\n", start + 2)
      else if (pair === "/*") this.#at = this.#blockCommentEnd(start)
      else return this.#token(start)
    }
  }

  #token(start: number): Token {
    const { sql } = this
    const ch = sql[start] as string
    const postgres = this.dialect === "postgresql"
    let end: number
    if (ch === "'" || ch === '"' || (!postgres && ch === "`")) end = this.#quoted(start, ch, false)
    else if (!postgres && ch === "[") end = this.#until("]", start + 1)
    else if (postgres && /[Ee]/.test(ch) && sql[start + 1] === "'") end = this.#quoted(start + 1, "'", true)
    else if (postgres && ch === "$" && /^\$(?:[A-Za-z_][A-Za-z0-9_]*)?\$/.test(sql.slice(start))) {
      const tag = (/^\$(?:[A-Za-z_][A-Za-z0-9_]*)?\$/.exec(sql.slice(start)) as RegExpExecArray)[0]
      const close = sql.indexOf(tag, start + tag.length)
      end = close === -1 ? sql.length : close + tag.length
    } else if (WORD.test(ch)) {
      end = start + 1
      while (end < sql.length && WORD.test(sql[end] as string)) end++
      this.#at = end
      return { start, text: sql.slice(start, end), word: sql.slice(start, end) }
    } else end = start + 1
    this.#at = end
    return { start, text: sql.slice(start, end) }
  }

  /** The end of a quoted string or name; a doubled quote is one quote, and with `backslashes` a `\x` too. */
  #quoted(open: number, quote: string, backslashes: boolean): number {
    const { sql } = this
    for (let i = open + 1; i < sql.length; i++) {
      if (backslashes && sql[i] === "\\") i++
      else if (sql[i] === quote) {
        if (sql[i + 1] !== quote) return i + 1
        i++
      }
    }
    return sql.length
  }

  /** PostgreSQL nests block comments; SQLite ends one at the first `*` `/`. */
  #blockCommentEnd(open: number): number {
    const { sql } = this
    let depth = 0
    for (let i = open; i < sql.length - 1; i++) {
      const pair = sql.slice(i, i + 2)
      if (pair === "/*" && (depth === 0 || this.dialect === "postgresql")) {
        depth++
        i++
      } else if (pair === "*/") {
        depth--
        i++
        if (depth === 0) return i + 1
      }
    }
    return sql.length
  }

  #until(close: string, from: number): number {
    const at = this.sql.indexOf(close, from)
    return at === -1 ? this.sql.length : at + close.length
  }
}
