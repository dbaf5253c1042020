// `deleteFrom(table).where(...)`, with RETURNING. (`delete` is a reserved word in JavaScript, so the
// package exports it as `deleteFrom`, and as `delete` for namespace imports.)

import type { Compiler } from "./compiler/compiler.ts"
import { renderDelete } from "./compiler/dml-renderer.ts"
import { returningItems } from "./dml-returning.ts"
import { type DmlTarget, tableOf } from "./dml-target.ts"
import { type WriteWhere, writeConditions } from "./dml-where.ts"
import type { Expression } from "./expression.ts"
import type { ColumnSpecs, Table } from "./schema/table.ts"
import type { CoreRowOfItems, RowOfItems, SelectItem } from "./select-items.ts"
import { Statement } from "./statement.ts"

export interface DeleteState extends WriteWhere {
  readonly table: Table
  readonly where: readonly Expression<unknown>[]
  readonly returning: readonly SelectItem[]
}

export class Delete<S extends ColumnSpecs, Items extends readonly SelectItem[] = []> extends Statement {
  readonly kind = "delete"
  declare readonly rowType: RowOfItems<Items>
  /** Phantom: the rows Core gives (entities as arrays of column values). */
  declare readonly coreRowType: CoreRowOfItems<Items>
  declare readonly tableSpecs: S

  constructor(readonly state: DeleteState) {
    super()
    Object.freeze(this)
  }

  renderWith(compiler: Compiler): string {
    return renderDelete(compiler, this as unknown as Delete<never>)
  }

  where(...conditions: (Expression<boolean | null> | undefined)[]): Delete<S, Items> {
    return new Delete({
      ...this.state,
      ...writeConditions("DELETE", this.state.table.name, this.state, conditions),
    })
  }

  returning<const R extends readonly SelectItem[]>(...items: R): Delete<S, R> {
    return new Delete<S, R>({ ...this.state, returning: returningItems("DELETE", this.state.table, items) })
  }
}

export function deleteFrom<S extends ColumnSpecs>(target: DmlTarget<S>): Delete<S> {
  return new Delete<S>({ table: tableOf(target), where: [], returning: [] })
}
