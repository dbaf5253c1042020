// Core: schema, expressions, statements and the base compiler.
export { caseWhen } from "./case.ts"
export type { Compiled, CompileOptions } from "./compiler/dialect.ts"
export { DefaultDialect, Dialect } from "./compiler/dialect.ts"
export { CompoundSelect } from "./compound.ts"
export {
  AddForeignKey,
  CreateIndex,
  CreateTable,
  createAll,
  createStatements,
  type DdlTarget,
  DropIndex,
  DropTable,
  dropAll,
  dropStatements,
} from "./ddl.ts"
export { Delete, deleteFrom, deleteFrom as delete } from "./delete.ts"
export { type DmlTarget, type HasTable, TABLE } from "./dml-target.ts"
export {
  and,
  asc,
  bindparam,
  desc,
  Expression,
  type Label,
  literal,
  literalColumn,
  not,
  nullsFirst,
  nullsLast,
  type Operand,
  Ordering,
  or,
} from "./expression.ts"
export { Alias, alias, Cte, type FromClause, Join, type NamedColumns, Subquery } from "./from.ts"
export { distinct, func } from "./functions.ts"
export { Insert, insert } from "./insert.ts"
export { Column, type ColumnOptions, ColumnSpec, column, type ReferentialAction } from "./schema/column.ts"
export { check, foreignKey, Index, index, unique } from "./schema/constraints.ts"
export { MetaData } from "./schema/metadata.ts"
export {
  type ColumnSpecs,
  type InsertRowOf,
  type RowOf,
  Table,
  type TableColumns,
  table,
} from "./schema/table.ts"
export { Select, select } from "./select.ts"
export { ENTITY, type EntityLike, type ItemValue, type RowOfItems, type SelectItem } from "./select-items.ts"
export { type RowType, Statement } from "./statement.ts"
export { exists } from "./subquery.ts"
export {
  BigInteger,
  BooleanType as Boolean,
  DateOnly,
  DateTime,
  Enum,
  Float,
  Integer,
  Json,
  LargeBinary,
  Numeric,
  SmallInteger,
  SqlType,
  StringType as String,
  Text,
  Uuid,
} from "./types.ts"
export { Update, update } from "./update.ts"
