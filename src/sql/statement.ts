// What every statement shares: compiling to `{sql, params}` for a dialect, and printing readable SQL.
import { type Compiled, type CompileOptions, DefaultDialect, type Dialect } from "./compiler/dialect.ts"
import type { Template } from "./compiler/expression-compiler.ts"

export abstract class Statement {
  abstract readonly kind: string

  /** The SQL for a dialect and where its parameters come from, to bind now or on every run (./bound.ts). */
  template(dialect: Dialect): Template {
    return dialect.createCompiler({}).template(this)
  }

  /** `{ sql, params }` for a dialect: placeholders and parameters in the order the driver wants them. */
  compile(dialect: Dialect = DefaultDialect.instance, options: CompileOptions = {}): Compiled {
    return dialect.compile(this, options)
  }

  /** Readable SQL, like SQLAlchemy's `print(stmt)`: parameters shown as `:name_1`, never inlined. */
  toString(): string {
    return this.compile().sql
  }
}

/** The phantom row type of a statement that returns rows. */
export type RowType<S> = S extends { readonly rowType: infer R } ? R : never

/**
 * A row as Core (a Connection, an Engine) gives it for a statement: its rowType with entities as arrays
 * of column values, and an array of unknowns for a statement that does not say.
 */
export type CoreRowOf<S> = CoreRowType<S> extends readonly unknown[] ? CoreRowType<S> : unknown[]

type CoreRowType<S> = S extends { readonly coreRowType: infer R } ? R : RowType<S>
