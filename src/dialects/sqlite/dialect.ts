import type { CompileOptions } from "../../sql/compiler/dialect.ts"
import { Dialect } from "../../sql/compiler/dialect.ts"
import type { Column } from "../../sql/schema/column.ts"
import type { SqlType } from "../../sql/types.ts"
import { decodeSqlite, encodeSqlite } from "./codecs.ts"
import { SqliteCompiler } from "./compiler.ts"

export class SqliteDialect extends Dialect {
  readonly name = "sqlite"

  createCompiler(options: CompileOptions): SqliteCompiler {
    return new SqliteCompiler(this, options)
  }

  override encode(value: unknown, type: SqlType<unknown>, column?: Column<unknown>): unknown {
    return encodeSqlite(value, type, column)
  }

  override decode(value: unknown, type: SqlType<unknown>): unknown {
    return decodeSqlite(value, type)
  }
}

export const sqlite = /* @__PURE__ */ new SqliteDialect()
