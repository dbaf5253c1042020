// A dialect: how one SQL flavour spells statements and carries values. The base is the default
// "print" dialect of `stmt.toString()`; PostgreSQL and SQLite live in src/dialects/.
import type { Column } from "../schema/column.ts"
import type { Statement } from "../statement.ts"
import type { SqlType } from "../types.ts"
import { Compiler } from "./compiler.ts"

export interface CompileOptions {
  /** Render values inline, escaped, instead of as parameters. For reading and debugging only. */
  literalBinds?: boolean
  /** Values for named parameters made with `bindparam("name", type)`. */
  values?: Readonly<Record<string, unknown>>
  /**
   * How names are spelled, instead of quoting every one: DDL and a migration's SQL leave them bare
   * where that is safe (`bareWhereSafe(words)`, ./identifiers.ts), as people write them.
   */
  quoteName?: (name: string) => string
}

export interface Compiled {
  readonly sql: string
  /** Parameters in placeholder order, already encoded for the driver (`1n` for SQLite integers...). */
  readonly params: readonly unknown[]
}

export abstract class Dialect {
  abstract readonly name: "postgresql" | "sqlite" | "default"

  /** A fresh compiler for one statement (compilers keep per-statement state). */
  abstract createCompiler(options: CompileOptions): Compiler

  compile(statement: Statement, options: CompileOptions = {}): Compiled {
    return this.createCompiler(options).compile(statement)
  }

  /**
   * A JS value as the driver should receive it for a column of `type`; a DataError if no such column
   * holds it exactly (../value-checks.ts). `column` is the column the value is written to, if any.
   */
  encode(value: unknown, _type: SqlType<unknown>, _column?: Column<unknown>): unknown {
    return value
  }

  /** A value the driver returned as the JS value of a column of `type`. */
  decode(value: unknown, _type: SqlType<unknown>): unknown {
    return value
  }
}

/** The dialect of `toString()`: generic SQL with `:param_1` placeholders, like SQLAlchemy's print. */
export class DefaultDialect extends Dialect {
  static readonly instance = new DefaultDialect()
  readonly name = "default"

  createCompiler(options: CompileOptions): Compiler {
    return new Compiler(this, options)
  }
}
