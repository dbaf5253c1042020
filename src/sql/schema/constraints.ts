// Table-level constraints and indexes. Column keys name their columns; names follow one convention
// (ix_/uq_/fk_/ck_/pk_ + table + columns) so migrations can find and drop them by name later.
import type { Expression } from "../expression.ts"
import type { ReferentialAction } from "./column.ts"

export class Index {
  readonly kind = "index"
  constructor(
    readonly name: string | undefined,
    readonly columns: readonly string[],
    readonly unique: boolean,
  ) {
    Object.freeze(this)
  }
}

export class UniqueConstraint {
  readonly kind = "unique"
  constructor(
    readonly columns: readonly string[],
    readonly name?: string,
  ) {
    Object.freeze(this)
  }
}

export class CheckConstraint {
  readonly kind = "check"
  constructor(
    /** Raw SQL, or a boolean expression over the table's columns (rendered with literal values). */
    readonly condition: string | Expression<boolean>,
    readonly name?: string,
  ) {
    Object.freeze(this)
  }
}

export class ForeignKeyConstraint {
  readonly kind = "foreign_key"
  constructor(
    readonly columns: readonly string[],
    /** The referenced table's name and its column names, in the database. */
    readonly referencedTable: string,
    readonly referencedColumns: readonly string[],
    readonly options: {
      name?: string | undefined
      onDelete?: ReferentialAction | undefined
      onUpdate?: ReferentialAction | undefined
    } = {},
  ) {
    Object.freeze(this)
  }

  get name(): string | undefined {
    return this.options.name
  }
}

export type TableConstraint = UniqueConstraint | CheckConstraint | ForeignKeyConstraint

/** `index("ix_posts_user_created", ["userId", "createdAt"])`; `{ unique: true }` for a unique index. */
export function index(name: string, columns: readonly string[], options: { unique?: boolean } = {}): Index {
  return new Index(name, Object.freeze([...columns]), options.unique === true)
}

/** A UNIQUE constraint over one or more columns: `unique(["userId", "slug"])`. */
export function unique(columns: readonly string[], name?: string): UniqueConstraint {
  return new UniqueConstraint(Object.freeze([...columns]), name)
}

/** A CHECK constraint: `check("age >= 0")` or `check(users.c.age.ge(0), "ck_users_age")`. */
export function check(condition: string | Expression<boolean>, name?: string): CheckConstraint {
  return new CheckConstraint(condition, name)
}

/** A composite foreign key: `foreignKey(["a", "b"], "other", ["x", "y"], { onDelete: "CASCADE" })`. */
export function foreignKey(
  columns: readonly string[],
  referencedTable: string,
  referencedColumns: readonly string[],
  options: { name?: string; onDelete?: ReferentialAction; onUpdate?: ReferentialAction } = {},
): ForeignKeyConstraint {
  return new ForeignKeyConstraint(
    Object.freeze([...columns]),
    referencedTable,
    Object.freeze([...referencedColumns]),
    options,
  )
}

/**
 * The conventional name of a constraint or index, within PostgreSQL's 63-byte identifier limit: a
 * longer one keeps its first 54 bytes (whole characters) and a hash of the whole, so that two names
 * alike in their first 63 bytes stay two (PostgreSQL would cut both to one, without an error).
 */
export function conventionalName(
  prefix: "ix" | "uq" | "fk" | "ck" | "pk",
  table: string,
  parts: readonly string[],
) {
  const name = [prefix, table, ...parts].join("_")
  let head = name
  while (nameBytes(head) > 54) head = [...head].slice(0, -1).join("")
  return nameBytes(name) < 64 ? name : `${head}_${hash(name)}`
}

/** A name's length as PostgreSQL counts it: UTF-8 bytes. */
export function nameBytes(name: string): number {
  return new TextEncoder().encode(name).length
}

function hash(text: string): string {
  let h = 0x811c9dc5
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193)
  return (h >>> 0).toString(16).padStart(8, "0")
}
