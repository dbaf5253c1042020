// What the differential fuzzer's checks share: the databases it compares, what a disagreement it
// reports holds, the options of a run, and the helpers that minimise and print a repro.
import { type Engine, postgresql, type Statement, sqlite } from "../../src/index.ts"
import { printValue, type Spec } from "./expression-specs.ts"
import { COLUMN_KEYS } from "./fuzz-model.ts"
import { failure, type Outcome, printOutcome } from "./outcomes.ts"
import { shrinkSpec } from "./spec-shrink.ts"

/** A database reached through one transport. */
export interface Target {
  readonly transport: string
  readonly dialect: "postgresql" | "sqlite"
  readonly engine: Engine
}

export interface Finding {
  /** Which comparison: the round trip, SELECT expr, WHERE, or a bulk UPDATE's synchronization. */
  readonly check: "round trip" | "select" | "where" | "bulk"
  /** Who disagreed, e.g. "memory≠postgresql" or "postgresql≠sqlite". */
  readonly category: string
  /** The minimised spec (select, where) or UPDATE (bulk), for deduplication and triage. */
  readonly subject: string
  /** A readable repro: the expression, the row's values it reads, each place's outcome, the SQL. */
  readonly repro: string
  /** The shrunk spec and the outcomes, for triage by code. */
  readonly spec?: Spec
  readonly outcomes?: Readonly<Record<string, Outcome>>
}

export interface SeedOptions {
  readonly rows: number
  readonly expressions: number
  readonly updates: number
  readonly depth: number
  /** How many simpler candidates minimising one disagreement may try. */
  readonly shrinkBudget: number
}

export const DEFAULT_OPTIONS: SeedOptions = {
  rows: 6,
  expressions: 40,
  updates: 6,
  depth: 3,
  shrinkBudget: 200,
}

export type Values = Record<string, unknown>

/** A row as each database holds it: its values read back through that database's transport. */
export interface Loaded {
  readonly ids: Record<string, number>
  readonly values: Record<string, Values>
}

/** Greedy shrinking: the first simpler candidate that still shows the difference, until none does. */
export async function shrink(
  spec: Spec,
  reproduces: (candidate: Spec) => Promise<boolean>,
  budget: number,
): Promise<Spec> {
  let current = spec
  while (budget > 0) {
    let smaller: Spec | undefined
    for (const candidate of shrinkSpec(current)) {
      if (--budget <= 0) break
      let shows = false
      try {
        shows = await reproduces(candidate)
      } catch {
        shows = false
      }
      if (shows) {
        smaller = candidate
        break
      }
    }
    if (!smaller) break
    current = smaller
  }
  return current
}

export function valuesOf(object: object): Values {
  const record = object as Record<string, unknown>
  return Object.fromEntries(COLUMN_KEYS.map((key) => [key, record[key]]))
}

export function pick(values: Values, keys: readonly string[]): Values {
  return Object.fromEntries(keys.map((key) => [key, values[key]]))
}

export function printRow(values: Values): string {
  return `{ ${Object.entries(values)
    .map(([key, value]) => `${key}: ${printValue(value)}`)
    .join(", ")} }`
}

export function sqlOf(statement: Statement, dialect: "postgresql" | "sqlite"): string {
  try {
    const { sql, params } = statement.compile(dialect === "postgresql" ? postgresql : sqlite)
    return `${sql}  -- ${params.map(printValue).join(", ")}`
  } catch (error) {
    return printOutcome(failure(error))
  }
}

/** One at a time: a connection runs one statement at once. */
export async function sequentially<T, R>(items: readonly T[], run: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = []
  for (const item of items) results.push(await run(item))
  return results
}
