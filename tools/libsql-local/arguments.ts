// Matches a statement's parameters with the client's arguments the way sqld does, then hands the native
// binding one positional array. The binding never complains about a missing or surplus argument (it
// binds NULL or ignores it), so every mismatch has to be caught here.
import { HranaError } from "./errors.ts"
import type { SqlValue } from "./values.ts"

export type StatementArguments =
  | { kind: "positional"; values: SqlValue[] }
  | { kind: "named"; values: Map<string, SqlValue> }

export function argumentsOf(args: SqlValue[], namedArgs: Map<string, SqlValue>): StatementArguments {
  if (namedArgs.size === 0) return { kind: "positional", values: args }
  if (args.length === 0) return { kind: "named", values: namedArgs }
  throw new HranaError(
    "Specifying both positional and named arguments is not supported",
    "ARGS_BOTH_POSITIONAL_AND_NAMED",
  )
}

/** Returns the values to bind, by SQLite parameter index (entry 0 is parameter 1). */
export function bindArguments(
  parameterNames: (string | undefined)[],
  args: StatementArguments,
  isExplain: boolean,
): SqlValue[] {
  const supplied = args.values instanceof Map ? args.values.size : args.values.length
  if (supplied > parameterNames.length) {
    throw argsInvalid(`too many parameters, expected ${parameterNames.length} found ${supplied}`)
  }
  const bound: SqlValue[] = []
  for (let index = 1; index <= parameterNames.length; index++) {
    const name = parameterNames[index - 1]
    const value = lookUp(args, name, index)
    if (value === undefined) {
      // sqld lets EXPLAIN run with unbound parameters: they only matter when the statement runs.
      if (isExplain) return bound
      throw argsInvalid(`value for parameter ${name ?? index} not found`)
    }
    bound.push(value)
  }
  return bound
}

function lookUp(args: StatementArguments, name: string | undefined, index: number): SqlValue | undefined {
  if (name?.startsWith("?")) return positional(args, Number(name.slice(1)))
  if (name === undefined) return positional(args, index)
  if (args.kind !== "named") return undefined
  // Clients may send the name with or without its prefix (`:id` or `id`). A value may be NULL (`null`),
  // so test presence rather than falling back on a nullish value.
  if (args.values.has(name)) return args.values.get(name)
  return args.values.get(name.slice(1))
}

function positional(args: StatementArguments, position: number): SqlValue | undefined {
  return args.kind === "positional" ? args.values[position - 1] : undefined
}

function argsInvalid(detail: string): HranaError {
  return new HranaError(`Arguments do not match SQL parameters: ${detail}`, "ARGS_INVALID")
}
