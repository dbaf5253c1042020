// What one place (PostgreSQL, SQLite, the in-memory evaluator) made of an expression for a row: a value,
// an error, or a refusal (memory's Unevaluable, "ask the database"); and when two of them agree.
import { DatabaseError } from "../../src/index.ts"
import { Unevaluable } from "../../src/orm/evaluate.ts"
import { printValue } from "./expression-specs.ts"

export type Outcome =
  | { readonly kind: "value"; readonly value: unknown }
  | { readonly kind: "error"; readonly message: string; readonly code?: string }
  | { readonly kind: "refused"; readonly message: string }

export const answered = (value: unknown): Outcome => ({ kind: "value", value })

export function failure(error: unknown): Outcome {
  if (error instanceof Unevaluable) return { kind: "refused", message: error.message }
  const message = error instanceof Error ? `${error.constructor.name}: ${error.message}` : String(error)
  const code = error instanceof DatabaseError ? sqlState(error) : undefined
  return { kind: "error", message: message.split("\n")[0]?.slice(0, 200) ?? "", ...(code ? { code } : {}) }
}

function sqlState(error: DatabaseError): string | undefined {
  const cause = (error as { cause?: { code?: unknown } }).cause
  return typeof cause?.code === "string" ? cause.code : undefined
}

/**
 * Whether two values are the same: exactly, but 0 and -0 alike (SQLite keeps no sign on zero, which
 * the README says). An untyped result (`func.abs`, whose type the database decides) compares by its
 * number, as each driver reads its own wire type (PostgreSQL's int8 as text, SQLite's as a number).
 */
export function sameValue(a: unknown, b: unknown, untyped = false): boolean {
  if (a === b) return true
  if (a === null || b === null) return false
  // Two Invalid Dates are the same answer (text that is no timestamp, read from SQLite).
  if (a instanceof Date && b instanceof Date) return Object.is(a.getTime(), b.getTime())
  if (typeof a === "number" && typeof b === "number") return a === b || (Number.isNaN(a) && Number.isNaN(b))
  if (untyped && isNumeric(a) && isNumeric(b)) return Number(a) === Number(b) && BigIntOf(a) === BigIntOf(b)
  if (typeof a === "object" && typeof b === "object") return canonicalJson(a) === canonicalJson(b)
  return false
}

function isNumeric(value: unknown): boolean {
  return (
    typeof value === "number" ||
    typeof value === "bigint" ||
    (typeof value === "string" && /^-?\d+(\.\d+)?$/.test(value))
  )
}

/** Integers compare exactly beyond 2**53; fractions by their number. */
function BigIntOf(value: unknown): string {
  const text = String(value)
  return /^-?\d+$/.test(text) ? BigInt(text).toString() : String(Number(value))
}

function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_, v: unknown) =>
    v && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([x], [y]) => (x < y ? -1 : 1)))
      : v,
  )
}

/** Errors agree with errors, whatever their words; values by sameValue. */
export function sameOutcome(a: Outcome, b: Outcome, untyped = false): boolean {
  if (a.kind !== b.kind) return false
  return a.kind !== "value" || sameValue(a.value, (b as { value: unknown }).value, untyped)
}

export function printOutcome(outcome: Outcome): string {
  if (outcome.kind === "value") {
    const { value } = outcome
    const type = value === null ? "" : ` (${value instanceof Date ? "Date" : typeof value})`
    return `${printValue(value)}${type}`
  }
  const code = outcome.kind === "error" && outcome.code ? `[${outcome.code}] ` : ""
  return `${outcome.kind}: ${code}${outcome.message}`
}
