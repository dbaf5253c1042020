// Column defaults that travel between databases. A revision states a default the way a model does
// (`"draft"`, `0`, `true`, `func.now()`), and it is spelled for the dialect only when rendered:
// `DEFAULT true` on PostgreSQL, `DEFAULT 1` on SQLite; `(now())` and `(strftime(...))`. Defaults
// read back from a database become such values again where they are recognisable, and raw SQL
// (`literalColumn("...")`) where they are not.
import type { Compiler } from "../sql/compiler/compiler.ts"
import { checkStoredDefault, inDdlMode } from "../sql/compiler/ddl-renderer.ts"
import { DefaultDialect } from "../sql/compiler/dialect.ts"
import { type Expression, literalColumn, type RawSql } from "../sql/expression.ts"
import { type FunctionCall, func } from "../sql/functions.ts"
import { type SqlType, typeOfValue } from "../sql/types.ts"

/** A server default: a value (a string is a string value), or an expression (`func.now()`, `literalColumn(sql)`). */
export type ServerDefault = string | number | boolean | Expression<unknown>

/** The SQL of a DEFAULT clause in a dialect. */
export function renderDefault(
  value: ServerDefault,
  type: SqlType<unknown> | undefined,
  compiler: Compiler,
): string {
  if (!isExpression(value)) checkStoredDefault(value, type, compiler.dialect)
  return inDdlMode(compiler, () =>
    isExpression(value)
      ? `(${compiler.expression(value)})`
      : compiler.literal(value, type ?? typeOfValue(value)),
  )
}

/** A default as a database gives it back, as a portable value where it can be read as one. */
export function readDefault(sql: string, canonicalType: string): ServerDefault {
  const text = numberColumn(canonicalType) ? castNumber(stripped(sql)) : stripped(sql)
  if (canonicalType === "BOOLEAN" && (text === "0" || text === "1")) return text === "1"
  // A number a JavaScript number holds exactly (9007199254740993 does not: it stays SQL).
  if (NUMBER.test(text) && canonicalNumber(String(Number(text))) === canonicalNumber(text))
    return Number(text)
  if (/^(true|false)$/i.test(text)) return text.toLowerCase() === "true"
  const quoted = /^'((?:[^']|'')*)'$/s.exec(text)
  if (quoted) return (quoted[1] as string).replaceAll("''", "'")
  if (/^now\(\)$/i.test(text) || text === "strftime('%Y-%m-%d %H:%M:%f', 'now')") return func.now()
  return literalColumn(text)
}

/** The default, or its SQL as `literalColumn` when it is an expression a revision file cannot spell. */
export function writableDefault(value: ServerDefault, sql: string): ServerDefault {
  if (!isExpression(value) || isBareFunction(value) || value.kind === "raw") return value
  return literalColumn(stripped(sql))
}

/** TypeScript for a default in a revision file: `"draft"`, `true`, `func.now()`, `literalColumn("...")`. */
export function defaultSource(value: ServerDefault): string {
  if (!isExpression(value)) return JSON.stringify(value)
  if (isBareFunction(value)) return `func.${(value as FunctionCall<unknown>).name}()`
  if (value.kind === "raw") return `literalColumn(${JSON.stringify((value as RawSql<unknown>).sql)})`
  const compiler = DefaultDialect.instance.createCompiler({})
  return `literalColumn(${JSON.stringify(inDdlMode(compiler, () => compiler.expression(value)))})`
}

/** By shape, not instanceof (a model's defaults may come from another copy of the package). */
function isExpression(value: ServerDefault): value is Expression<unknown> {
  return typeof value === "object"
}

function isBareFunction(value: Expression<unknown>): boolean {
  return value.kind === "function" && (value as FunctionCall<unknown>).args.length === 0
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i

/**
 * A number's text as one spelling per value, exactly (`1e+21`, `1000000000000000000000` and
 * `'1000000000000000000000'::numeric` are one; so are `-0` and `0`, `0.10` and `.1`): the databases
 * give a default back in another spelling than the model's (PostgreSQL's numeric has no exponent,
 * JavaScript writes 1e21 with one). Other text is returned as it is.
 */
export function canonicalNumber(text: string): string {
  const parts = /^([+-]?)(\d*)(?:\.(\d*))?(?:e([+-]?\d+))?$/i.exec(text)
  if (!parts || !NUMBER.test(text)) return text
  const [, sign, whole = "", fraction = "", exponent = "0"] = parts
  let digits = `${whole}${fraction}`.replace(/^0+/, "")
  let power = Number(exponent) - fraction.length
  if (digits === "") return "0"
  while (digits.endsWith("0")) {
    digits = digits.slice(0, -1)
    power++
  }
  return `${sign === "-" ? "-" : ""}${digits}e${power}`
}

/** Without outer parentheses or PostgreSQL's `::type` casts: how both databases' defaults compare. */
export function stripped(sql: string): string {
  let text = sql.trim()
  for (;;) {
    const next = text
      .replace(/::[a-z_ ]+(\(\d+(,\s*\d+)?\))?(\[\])?$/i, "")
      .replace(/^\((.*)\)$/s, "$1")
      .trim()
    if (next === text) break
    text = next
  }
  return text
}

/** Whether a column of this canonical type holds numbers. */
export function numberColumn(canonicalType: string): boolean {
  return /^(INTEGER|BIGINT|SMALLINT|REAL|DOUBLE PRECISION|FLOAT|NUMERIC|DECIMAL)\b/.test(canonicalType)
}

/**
 * A number column's default without the quotes PostgreSQL puts around a number it casts ('-1'::integer,
 * '1000000000000000000000'::numeric). Only there: a text column's '0.10' is text, not the number 0.1.
 */
function castNumber(text: string): string {
  return /^'-?\d+(\.\d+)?'$/.test(text) ? text.slice(1, -1) : text
}

/** A default's SQL as it compares: a number column's as its value, however it is spelled. */
export function comparableDefault(sql: string, canonicalType: string): string {
  return numberColumn(canonicalType) ? canonicalNumber(castNumber(stripped(sql))) : stripped(sql)
}
