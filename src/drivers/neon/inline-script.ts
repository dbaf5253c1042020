// A batch as one script for PostgreSQL's simple query protocol, so that over Neon's WebSocket it
// costs one round trip: the driver's client sends one statement at a time and waits for each answer,
// but one Query message may hold many statements, which the server runs as one implicit transaction
// (an error rolls back all of them).
//
// The simple protocol takes no parameters, so each `$n` becomes a string constant of the very text the
// driver would have sent as that parameter. A constant and a parameter both arrive untyped and take
// their type from context, so the statement means the same. Constants are written so that no server
// setting can make their text SQL (../../util/postgres-string.ts). Values with no exact text (arrays,
// which the driver formats itself) make this return undefined, and the caller sends the statements
// one by one.
import { postgresString } from "../../util/postgres-string.ts"
import type { Query } from "../transport.ts"

export function inlineScript(queries: readonly Query[]): string | undefined {
  const statements: string[] = []
  for (const query of queries) {
    const literals = query.params.map(literalText)
    if (literals.includes(undefined)) return undefined
    statements.push(substitute(query.sql, literals as string[]))
  }
  // On lines of their own: a statement ending in a `--` comment must not swallow the separator.
  return statements.join("\n;\n")
}

function literalText(value: unknown): string | undefined {
  if (value === null || value === undefined) return "NULL"
  if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") {
    const text = String(value)
    // A NUL cannot be in PostgreSQL text at all.
    return text.includes("\u0000") ? undefined : postgresString(text)
  }
  if (typeof value === "bigint") return `'${value}'`
  return undefined
}

/**
 * What a placeholder can hide in: a `--` or block comment, an escape string (`E'it\'s'`), a quoted
 * string or identifier, a dollar-quoted body (`$$...$$`, `$fn$...$fn$`); each unterminated one runs to
 * the end. Then the placeholder itself (group 2). A `$` right after a word character or `$` starts
 * neither. A quoted string or identifier with its quote doubled inside (`'it''s'`) is read as two
 * (`'it'`, `'s'`), with the same text between them. No pattern repeats a group per character: a
 * regular expression's backtracking stack grows with each repetition, and a literal of 10 MB
 * overflowed it ("Maximum call stack size exceeded"); an escape string's repeat once per backslash.
 */
const TOKENS =
  /--[^\n]*\n?|\/\*[\s\S]*?(?:\*\/|$)|(?<![\w$])[Ee](?:'[^'\\]*(?:\\[\s\S][^'\\]*)*'?)+|'[^']*'?|"[^"]*"?|(?<![\w$])\$(?:([A-Za-z_]\w*)?\$[\s\S]*?(?:\$\1\$|$)|(\d{1,11}))/g

/**
 * Replaces `$n` placeholders outside quoted strings, quoted identifiers, dollar-quoted bodies and
 * comments, where a `$1` is text, not a parameter.
 */
function substitute(sql: string, literals: readonly string[]): string {
  return sql.replace(TOKENS, (token, _tag, n: string | undefined) => {
    if (n === undefined) return token
    const literal = literals[Number(n) - 1]
    if (literal === undefined) throw new RangeError(`The statement uses $${n} but has no such parameter`)
    return literal
  })
}
