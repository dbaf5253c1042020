// A batch as one script for PostgreSQL's simple query protocol, so that over Neon's WebSocket it
// costs one round trip: the driver's client sends one statement at a time and waits for each answer,
// but one Query message may hold many statements, which the server runs as one implicit transaction
// (an error rolls back all of them).
//
// The simple protocol takes no parameters, so each `$n` becomes a quoted literal of the very text the
// driver would have sent as that parameter. A quoted literal and a parameter both arrive untyped and
// take their type from context, so the statement means the same; quotes are doubled, which is all the
// escaping a standard-conforming string needs. Values with no exact text (arrays, which the driver
// formats itself) make this return undefined, and the caller sends the statements one by one.
import type { Query } from "../transport.ts"

export function inlineScript(queries: readonly Query[]): string | undefined {
  const statements: string[] = []
  for (const query of queries) {
    const literals = query.params.map(literalText)
    if (literals.includes(undefined)) return undefined
    statements.push(substitute(query.sql, literals as string[]))
  }
  return statements.join(";\n")
}

function literalText(value: unknown): string | undefined {
  if (value === null || value === undefined) return "NULL"
  if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") {
    const text = String(value)
    // standard_conforming_strings keeps backslashes literal; a NUL cannot be in PostgreSQL text at all.
    return text.includes("\u0000") ? undefined : `'${text.replaceAll("'", "''")}'`
  }
  if (typeof value === "bigint") return `'${value}'`
  return undefined
}

/**
 * Replaces `$n` placeholders outside quoted strings, quoted identifiers, dollar-quoted bodies and
 * comments, where a `$1` is text, not a parameter.
 */
function substitute(sql: string, literals: readonly string[]): string {
  let out = ""
  let i = 0
  while (i < sql.length) {
    const skipped = skipQuoted(sql, i)
    if (skipped > i) {
      out += sql.slice(i, skipped)
      i = skipped
      continue
    }
    const placeholder = /^\$(\d+)/.exec(sql.slice(i, i + 12))
    if (placeholder && !/[\w$]/.test(sql[i - 1] ?? "")) {
      const literal = literals[Number(placeholder[1]) - 1]
      if (literal === undefined)
        throw new RangeError(`The statement uses ${placeholder[0]} but has no such parameter`)
      out += literal
      i += placeholder[0].length
      continue
    }
    out += sql[i]
    i++
  }
  return out
}

/** The index after a quoted or commented span starting at `i`, or `i` when none starts there. */
function skipQuoted(sql: string, i: number): number {
  const two = sql.slice(i, i + 2)
  if (two === "--") return endOf(sql, "\n", i + 2)
  if (two === "/*") return endOf(sql, "*/", i + 2)
  const ch = sql[i]
  if (ch === "'" || ch === '"') {
    let j = i + 1
    while (j < sql.length) {
      if (sql[j] === ch && sql[j + 1] === ch) j += 2
      else if (sql[j] === ch) return j + 1
      else j++
    }
    return sql.length
  }
  if (ch === "$") {
    const tag = /^\$([A-Za-z_]\w*)?\$/.exec(sql.slice(i))
    if (tag && !/[\w$]/.test(sql[i - 1] ?? "")) return endOf(sql, tag[0], i + tag[0].length)
  }
  return i
}

function endOf(sql: string, terminator: string, from: number): number {
  const at = sql.indexOf(terminator, from)
  return at === -1 ? sql.length : at + terminator.length
}
