// edgealchemy: Core and ORM. Drivers live behind their own entry points (`edgealchemy/neon`,
// `edgealchemy/libsql`) so that a Worker bundles only the one it uses.
export { PostgresDialect, postgresql } from "./dialects/postgresql/dialect.ts"
export { SqliteDialect, sqlite } from "./dialects/sqlite/dialect.ts"
export * from "./errors.ts"
export * from "./sql/index.ts"
