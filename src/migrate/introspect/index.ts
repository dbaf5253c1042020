// Reading the live schema: a few catalog queries sent as one batch (one request), parsed into the
// schema model. The runner sends them in the same request as its version-table read.
import type { Connection } from "../../engine/connection.ts"
import type { Dialect } from "../../sql/compiler/dialect.ts"
import type { Statement } from "../../sql/statement.ts"
import type { DatabaseSchema } from "../schema.ts"
import { postgresIntrospection } from "./postgres.ts"
import { sqliteIntrospection } from "./sqlite.ts"

/** Rows as plain arrays of driver values. */
export type Rows = readonly (readonly unknown[])[]

export interface Introspection {
  readonly statements: readonly Statement[]
  /** The schema from the rows of `statements`, in order; tables in `exclude` left out. */
  parse(rows: readonly Rows[], exclude: ReadonlySet<string>): DatabaseSchema
}

export function introspection(dialect: Dialect): Introspection {
  return dialect.name === "sqlite" ? sqliteIntrospection : postgresIntrospection
}

/** The schema of the database behind `connection`, in one request. */
export async function introspect(
  connection: Connection,
  exclude: ReadonlySet<string> = new Set(),
): Promise<DatabaseSchema> {
  const plan = introspection(connection.dialect)
  const results = await connection.batch(plan.statements)
  return plan.parse(
    results.map((r) => r.all()),
    exclude,
  )
}

export function text(value: unknown): string {
  return value === null || value === undefined ? "" : String(value)
}

export function truthy(value: unknown): boolean {
  return value === true || value === 1 || value === 1n || value === "1" || value === "t" || value === "true"
}
