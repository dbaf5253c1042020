// Column types between three spellings: a Core type, its SQL in a dialect, and the TypeScript a
// revision file writes. Types are compared by their canonical SQL, so `character varying(50)` read
// from PostgreSQL equals the `VARCHAR(50)` a model renders.
import type { Dialect } from "../sql/compiler/dialect.ts"
import type { SqlType } from "../sql/types.ts"

/** The SQL spelling of a revision's or model's type in a dialect. */
export function sqlTypeName(type: SqlType<unknown> | string, dialect: Dialect): string {
  if (typeof type === "string") return canonicalType(type)
  return canonicalType(dialect.createCompiler({}).typeName(type))
}

const POSTGRES_NAMES: Record<string, string> = {
  "CHARACTER VARYING": "VARCHAR",
  "TIMESTAMP WITHOUT TIME ZONE": "TIMESTAMP",
  INT: "INTEGER",
  INT4: "INTEGER",
  INT8: "BIGINT",
  INT2: "SMALLINT",
  BOOL: "BOOLEAN",
  FLOAT8: "DOUBLE PRECISION",
  CHARACTER: "CHAR",
}

/** Upper case, single spaces, `NUMERIC(10, 2)`, and PostgreSQL's long names folded to the short ones. */
export function canonicalType(sql: string): string {
  const upper = sql.trim().toUpperCase().replace(/\s+/g, " ")
  const match = /^([A-Z0-9 ]+?)\s*(\(([^)]*)\))?$/.exec(upper)
  if (!match) return upper
  const base = POSTGRES_NAMES[match[1] as string] ?? (match[1] as string)
  const args = match[3]
    ?.split(",")
    .map((arg) => arg.trim())
    .join(", ")
  return args === undefined ? base : `${base}(${args})`
}

/** TypeScript source for a canonical SQL type, using the Core type names `edgealchemy/migrate` exports. */
export function typeSource(type: SqlType<unknown> | string): string {
  // By shape, not instanceof: a model's types may come from another copy of the package.
  if (typeof type !== "string") return coreTypeSource(type)
  const canonical = canonicalType(type)
  const args = /\(([^)]*)\)$/.exec(canonical)?.[1]
  const base = canonical.replace(/\(.*\)$/, "")
  switch (base) {
    case "INTEGER":
      return "Integer"
    case "BIGINT":
      return "BigInteger"
    case "SMALLINT":
      return "SmallInteger"
    case "VARCHAR":
      return args ? `String(${args})` : "String()"
    case "TEXT":
      return "Text"
    case "BOOLEAN":
      return "Boolean"
    case "TIMESTAMP WITH TIME ZONE":
    case "DATETIME":
      return "DateTime"
    case "DATE":
      return "DateOnly"
    case "DOUBLE PRECISION":
    case "REAL":
      return "Float"
    case "NUMERIC":
      return args ? `Numeric(${args})` : "Numeric()"
    case "JSONB":
      return "Json()"
    case "UUID":
      return "Uuid"
    case "BYTEA":
    case "BLOB":
      return "LargeBinary"
    default:
      return JSON.stringify(canonical)
  }
}

function coreTypeSource(type: SqlType<unknown>): string {
  const { length, precision, scale, values } = type.options
  switch (type.kind) {
    case "integer":
      return "Integer"
    case "bigint":
      return "BigInteger"
    case "smallint":
      return "SmallInteger"
    case "string":
      return length === undefined ? "String()" : `String(${length})`
    // An enum's values are guarded by its CHECK constraint, written separately.
    case "enum":
      return `String(${length ?? Math.max(...(values ?? [""]).map((v) => v.length))})`
    case "text":
      return "Text"
    case "boolean":
      return "Boolean"
    case "datetime":
      return "DateTime"
    case "date":
      return "DateOnly"
    case "float":
      return "Float"
    case "numeric":
      return `Numeric(${[precision, scale].filter((n) => n !== undefined).join(", ")})`
    case "json":
      return "Json()"
    case "uuid":
      return "Uuid"
    case "binary":
      return "LargeBinary"
    case "null":
      return JSON.stringify("NULL")
  }
}
