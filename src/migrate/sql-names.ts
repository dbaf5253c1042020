// The column names a CHECK condition's SQL uses, read as the database reads them: words outside
// string literals, bare or double-quoted (SQLite also takes `backticks`). Bare names compare ignoring
// ASCII case, as SQLite compares every name and PostgreSQL folds unquoted ones; quoted ones exactly.
import { closingQuote, unquote } from "./sqlite-table-sql.ts"

interface Name {
  readonly start: number
  readonly end: number
  readonly name: string
  readonly quoted: boolean
}

const WORD_START = /[A-Za-z_\u0080-\uffff]/
const WORD = /[A-Za-z0-9_$\u0080-\uffff]/

/** Words that are SQL itself, never a column a condition names bare. */
const SQL_WORDS = new Set(
  "AND OR NOT IN IS NULL TRUE FALSE BETWEEN LIKE GLOB REGEXP ESCAPE CASE WHEN THEN ELSE END ALL AS CAST COLLATE DISTINCT FROM TO NOTNULL ISNULL CURRENT_DATE CURRENT_TIME CURRENT_TIMESTAMP".split(
    " ",
  ),
)

/**
 * PostgreSQL's words in types and operators (`time with time zone`, `x = ANY (...)`, `ILIKE`), which
 * SQLite takes as bare column names: one is a name when it is the very column looked for.
 */
const TYPE_WORDS = new Set(
  "ILIKE ANY SOME ARRAY SIMILAR AT TIME ZONE WITH WITHOUT VARYING PRECISION".split(" "),
)

/**
 * The column names in `sql`, in order. Not names: string, number and blob literals (`X'00'`), SQL's
 * own words, a function's name (`length(`), and a type (`::text`, `CAST(x AS TEXT)`).
 */
function namesIn(sql: string, column = ""): Name[] {
  const names: Name[] = []
  let previous = ""
  /** Inside a type's words (`::timestamp with time zone`): its TYPE_WORDS are no names. */
  let inType = false
  for (let i = 0; i < sql.length; i++) {
    const ch = sql[i] as string
    if (ch === "'") i = closingQuote(sql, i)
    else if (ch === '"' || ch === "`") {
      const end = closingQuote(sql, i)
      names.push({ start: i, end: end + 1, name: unquote(sql.slice(i, end + 1)), quoted: true })
      i = end
    } else if (/\d/.test(ch)) {
      while (i + 1 < sql.length && /[\w.]/.test(sql[i + 1] as string)) i++
    } else if (WORD_START.test(ch)) {
      let end = i + 1
      while (end < sql.length && WORD.test(sql[end] as string)) end++
      const word = sql.slice(i, end)
      const next = sql.slice(end).trimStart()[0]
      // X'0a' and E'text' are literals; `word(` calls a function; `::word` and `AS word` are types.
      const typeName = previous === "::" || /^(AS|COLLATE)$/i.test(previous)
      const upper = word.toUpperCase()
      const continuesType: boolean = inType && TYPE_WORDS.has(upper)
      inType = typeName || continuesType
      const sqlWord =
        SQL_WORDS.has(upper) || (TYPE_WORDS.has(upper) && (continuesType || upper !== column.toUpperCase()))
      // `ARRAY[...]` is PostgreSQL's array constructor, as `ARRAY(...)` and `ANY (...)` are calls.
      if (next !== "'" && next !== "(" && next !== "[" && !typeName && !sqlWord)
        names.push({ start: i, end, name: word, quoted: false })
      previous = word
      i = end - 1
      continue
    }
    if (ch === ":" && sql[i + 1] === ":") {
      previous = "::"
      i++
    } else if (!/\s/.test(ch)) {
      previous = ch
      // A type's modifier (`timestamp(3) without time zone`) does not end the type.
      if (!/[()\d]/.test(ch)) inType = false
    }
  }
  return names
}

const same = (found: Name, column: string) =>
  found.quoted ? found.name === column : folded(found.name) === folded(column)

/** Whether the condition uses the column. */
export function mentionsColumn(sql: string, column: string): boolean {
  return namesIn(sql, column).some((found) => same(found, column))
}

/** The condition with the column renamed, written as `quote` writes names. */
export function renameColumnIn(
  sql: string,
  from: string,
  to: string,
  quote: (name: string) => string,
): string {
  let renamed = sql
  for (const found of namesIn(sql, from).reverse()) {
    if (same(found, from)) renamed = renamed.slice(0, found.start) + quote(to) + renamed.slice(found.end)
  }
  return renamed
}

/** Words after which a minus is a sign: `BETWEEN -1 AND -2`, `WHEN -1`. */
const KEYWORDS = new Set(
  "AND OR NOT IN IS BETWEEN LIKE ILIKE GLOB REGEXP ESCAPE CASE WHEN THEN ELSE ANY ALL SOME SELECT WHERE".split(
    " ",
  ),
)
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i

/**
 * The values a condition names, strings and numbers alike, as their values: `'it''s'` is `it's`, and
 * `-10`, `'-10'::integer` and `-1e1` are all -10 (PostgreSQL writes a negative constant as a string
 * cast to its type). A minus is a sign unless it follows an operand (a name, a value or a `)`).
 */
export function literalValues(sql: string): string[] {
  const values: string[] = []
  let operand = false
  for (let i = 0; i < sql.length; i++) {
    const ch = sql[i] as string
    if (/\s/.test(ch)) continue
    if (ch === '"' || ch === "`") i = closingQuote(sql, i)
    else if (ch === "'") {
      const end = closingQuote(sql, i)
      const value = sql.slice(i + 1, end).replaceAll("''", "'")
      values.push(NUMBER.test(value.trim()) ? `${Number(value)}` : `'${value}`)
      i = end
    } else if (
      /[\d.]/.test(ch) ||
      (ch === "-" && !operand && /[\d.]/.test(sql.slice(i + 1).trimStart()[0] ?? ""))
    ) {
      const match = /^-?\s*(\d+\.?\d*|\.\d+)(e[+-]?\d+)?/i.exec(sql.slice(i)) as RegExpExecArray
      values.push(`${Number(match[0].replace(/\s/g, ""))}`)
      i += match[0].length - 1
    } else if (WORD.test(ch)) {
      const start = i
      while (i + 1 < sql.length && WORD.test(sql[i + 1] as string)) i++
      operand = !KEYWORDS.has(sql.slice(start, i + 1).toUpperCase())
      continue
    }
    operand = /[\w"`')\]]/.test(sql[i] as string)
  }
  return values
}

/** A name with its ASCII letters in lower case: how SQLite compares names. */
export function folded(name: string): string {
  return name.replace(/[A-Z]/g, (letter) => letter.toLowerCase())
}
