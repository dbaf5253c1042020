// Reads what SQLite's pragmas do not tell from a table's CREATE TABLE text: the names of its
// constraints and its CHECK conditions. Only the table body's top-level clauses are looked at.

export interface ParsedConstraint {
  readonly kind: "unique" | "check" | "foreign_key" | "primary_key"
  readonly name: string | undefined
  /** For CHECK: the condition; for the others: the column list, as written. */
  readonly body: string
}

export function tableConstraints(createTableSql: string): ParsedConstraint[] {
  const open = createTableSql.indexOf("(")
  const close = createTableSql.lastIndexOf(")")
  if (open === -1 || close <= open) return []
  return splitTopLevel(createTableSql.slice(open + 1, close)).flatMap((clause) => parseClause(clause.trim()))
}

const CLAUSE = /^(?:CONSTRAINT\s+("(?:[^"]|"")+"|\S+)\s+)?(UNIQUE|CHECK|FOREIGN\s+KEY|PRIMARY\s+KEY)\s*\(/i

function parseClause(clause: string): ParsedConstraint[] {
  const match = CLAUSE.exec(clause)
  if (!match) return []
  const word = (match[2] as string).toUpperCase().replace(/\s+/g, " ")
  const kind =
    word === "UNIQUE"
      ? "unique"
      : word === "CHECK"
        ? "check"
        : word === "FOREIGN KEY"
          ? "foreign_key"
          : "primary_key"
  const start = match[0].length
  const end = matchingParen(clause, start - 1)
  return [{ kind, name: match[1] ? unquote(match[1]) : undefined, body: clause.slice(start, end).trim() }]
}

/** Splits at commas outside parentheses, quotes and identifiers. */
export function splitTopLevel(text: string): string[] {
  const parts: string[] = []
  let depth = 0
  let start = 0
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string
    if (QUOTES.has(ch)) i = closingQuote(text, i)
    else if (ch === "(") depth++
    else if (ch === ")") depth--
    else if (ch === "," && depth === 0) {
      parts.push(text.slice(start, i))
      start = i + 1
    }
  }
  parts.push(text.slice(start))
  return parts
}

function matchingParen(text: string, open: number): number {
  let depth = 0
  for (let i = open; i < text.length; i++) {
    const ch = text[i] as string
    if (QUOTES.has(ch)) i = closingQuote(text, i)
    else if (ch === "(") depth++
    else if (ch === ")" && --depth === 0) return i
  }
  return text.length
}

const QUOTES = new Set(["'", '"', "`"])

/** The index of the quote closing the one at `open`; a doubled quote is an escaped one. */
export function closingQuote(text: string, open: number): number {
  const quote = text[open]
  for (let i = open + 1; i < text.length; i++) {
    if (text[i] !== quote) continue
    if (text[i + 1] === quote) i++
    else return i
  }
  return text.length
}

/** An identifier as written (`"a""b"`, `` `a` ``, `[a]` or bare) to its name. */
export function unquote(written: string): string {
  const name = written.trim()
  const [first, last] = [name[0], name.at(-1)]
  if (name.length > 1 && (first === '"' || first === "`") && last === first)
    return name.slice(1, -1).replaceAll(`${first}${first}`, first)
  return first === "[" && last === "]" ? name.slice(1, -1) : name
}
