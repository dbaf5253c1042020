import type { CompileOptions } from "../../sql/compiler/dialect.ts"
import { Dialect } from "../../sql/compiler/dialect.ts"
import type { Column } from "../../sql/schema/column.ts"
import type { SqlType } from "../../sql/types.ts"
import { decodePostgres, encodePostgres } from "./codecs.ts"
import { PostgresCompiler } from "./compiler.ts"

export class PostgresDialect extends Dialect {
  readonly name = "postgresql"

  createCompiler(options: CompileOptions): PostgresCompiler {
    return new PostgresCompiler(this, options)
  }

  override encode(value: unknown, type: SqlType<unknown>, column?: Column<unknown>): unknown {
    return encodePostgres(value, type, column)
  }

  override decode(value: unknown, type: SqlType<unknown>): unknown {
    return decodePostgres(value, type)
  }
}

export const postgresql = /* @__PURE__ */ new PostgresDialect()
