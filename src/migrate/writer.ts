// Revision files: readable TypeScript a person reviews before applying. One operation per line, a
// table's columns one per line, comments above what autogenerate cannot be sure of.
import type { Change } from "./compare.ts"
import { defaultSource } from "./defaults.ts"
import type { ColumnDef, Operation } from "./operations.ts"
import { typeSource } from "./types.ts"

export interface RevisionFile {
  readonly id: string
  readonly parent: string | readonly string[] | null
  readonly message: string
  /** Changes from autogenerate; none for an empty revision to fill in by hand. */
  readonly changes?: readonly Change[]
  /** The module revisions import from; default `edgealchemy/migrate`. */
  readonly importFrom?: string
  /** Shown in the header, e.g. the date. */
  readonly createdAt?: Date
}

/** A 12-hex-digit id, like Alembic's. */
export function newRevisionId(): string {
  const bytes = new Uint8Array(6)
  crypto.getRandomValues(bytes)
  return [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("")
}

export function writeRevision(file: RevisionFile): string {
  const changes = file.changes ?? []
  const upgrade = changes.flatMap((change) => [
    ...(change.comment ? wrapComment(`CHECK: ${change.comment}`) : []),
    ...change.upgrade.map(operationSource),
  ])
  // Changes are undone last first; each change's own downgrade is already in the order it runs.
  const downgrade = [...changes].reverse().flatMap((change) => change.downgrade.map(operationSource))
  const body = [...upgrade, ...downgrade].join("\n")
  const used = IMPORTABLE.filter((name) => new RegExp(`\\b${name}\\b(?!")`).test(body))
  const parent = file.parent === null ? "null" : literal(file.parent)
  const after = file.parent === null ? "the first revision" : `after ${[file.parent].flat().join(" and ")}`
  const header = [
    `// ${file.message.replace(/\n/g, " ")}`,
    "//",
    `// Revision ${file.id}, ${after}${file.createdAt ? `, created ${file.createdAt.toISOString().slice(0, 10)}` : ""}.`,
    ...(changes.length > 0
      ? ["// Written by autogenerate: review it (renames show as a drop and an add) before applying."]
      : []),
  ]
  return [
    ...header,
    `import { ${["defineRevision", ...used].join(", ")} } from ${literal(file.importFrom ?? "edgealchemy/migrate")}`,
    "",
    "export default defineRevision({",
    `  id: ${literal(file.id)},`,
    `  parent: ${parent},`,
    `  message: ${literal(file.message)},`,
    method("upgrade", upgrade),
    method("downgrade", downgrade),
    "})",
    "",
  ].join("\n")
}

const IMPORTABLE = [
  "func",
  "literalColumn",
  "BigInteger",
  "Boolean",
  "DateOnly",
  "DateTime",
  "Float",
  "Integer",
  "Json",
  "LargeBinary",
  "Numeric",
  "SmallInteger",
  "String",
  "Text",
  "Uuid",
]

/** A comment as `//` lines of at most about 100 characters. */
function wrapComment(text: string, width = 100): string[] {
  const lines: string[] = []
  let line = "//"
  for (const word of text.split(/\s+/)) {
    if (line.length > 2 && line.length + word.length + 1 > width) {
      lines.push(line)
      line = "//  "
    }
    line += ` ${word}`
  }
  return [...lines, line]
}

function method(name: string, lines: readonly string[]): string {
  if (lines.length === 0) return `  ${name}() {},`
  return [`  ${name}(op) {`, ...lines.map((line) => indent(line, 4)), "  },"].join("\n")
}

function indent(text: string, spaces: number): string {
  return text
    .split("\n")
    .map((line) => " ".repeat(spaces) + line)
    .join("\n")
}

function operationSource(op: Operation): string {
  const call = (name: string, ...args: string[]) => `op.${name}(${args.join(", ")})`
  switch (op.kind) {
    case "createTable": {
      const columns = op.columns.map((c) => `  ${columnSource(c)},`).join("\n")
      const extras = Object.entries(op.extras)
        .map(([key, value]) => `  ${key}: ${listSource(value as readonly unknown[])},`)
        .join("\n")
      return `op.createTable(${literal(op.table)}, [\n${columns}\n]${extras ? `, {\n${extras}\n}` : ""})`
    }
    case "dropTable":
      return call("dropTable", literal(op.table))
    case "renameTable":
      return call("renameTable", literal(op.table), literal(op.newName))
    case "addColumn":
      return call("addColumn", literal(op.table), columnSource(op.column))
    case "dropColumn":
      return call("dropColumn", literal(op.table), literal(op.column))
    case "alterColumn": {
      const { type, default: value, ...rest } = op.changes
      const fields = [
        ...(type === undefined ? [] : [`type: ${typeSource(type)}`]),
        ...fieldsOf(rest),
        ...(value === undefined ? [] : [`default: ${value === null ? "null" : defaultSource(value)}`]),
      ]
      return call("alterColumn", literal(op.table), literal(op.column), `{ ${fields.join(", ")} }`)
    }
    case "createIndex":
      return call(
        "createIndex",
        literal(op.name),
        literal(op.table),
        literal(op.columns),
        ...(op.unique ? ["{ unique: true }"] : []),
      )
    case "dropIndex":
      return call("dropIndex", literal(op.name), literal(op.table))
    case "createForeignKey": {
      const { name, columns, referencedTable, referencedColumns, onDelete, onUpdate } = op.foreignKey
      const actions = fieldsOf({ onDelete, onUpdate })
      return call(
        "createForeignKey",
        literal(name),
        literal(op.table),
        literal(referencedTable),
        literal(columns),
        literal(referencedColumns),
        ...(actions.length > 0 ? [`{ ${actions.join(", ")} }`] : []),
      )
    }
    case "createUniqueConstraint":
      return call("createUniqueConstraint", literal(op.name), literal(op.table), literal(op.columns))
    case "createCheckConstraint":
      return call("createCheckConstraint", literal(op.name), literal(op.table), literal(op.sql))
    case "dropConstraint":
      return call("dropConstraint", literal(op.name), literal(op.table))
    case "bulkInsert":
      return call("bulkInsert", literal(op.table), literal(op.rows))
    case "execute":
      return call("execute", literal(op.sql))
  }
}

/** A list on one line when short, else one item per line. */
function listSource(items: readonly unknown[]): string {
  const inline = literal(items)
  if (inline.length <= 90) return inline
  return `[\n${items.map((item) => `    ${literal(item)},`).join("\n")}\n  ]`
}

function columnSource(column: ColumnDef): string {
  const { name, type, default: value, ...rest } = column
  const fields = [`name: ${literal(name)}`, `type: ${typeSource(type)}`, ...fieldsOf(rest)]
  if (value !== undefined) fields.push(`default: ${defaultSource(value)}`)
  return `{ ${fields.join(", ")} }`
}

function fieldsOf(record: Readonly<Record<string, unknown>>): string[] {
  return Object.entries(record)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => `${key}: ${literal(value)}`)
}

/** A JS literal on one line: `"x"`, `["a", "b"]`, `{ name: "x", columns: ["a"] }`. */
function literal(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(literal).join(", ")}]`
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined)
    return `{ ${entries.map(([k, v]) => `${/^[A-Za-z_$][\w$]*$/.test(k) ? k : JSON.stringify(k)}: ${literal(v)}`).join(", ")} }`
  }
  if (typeof value === "bigint") return `${value}n`
  return JSON.stringify(value) ?? "undefined"
}
