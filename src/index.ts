// edgealchemy: Core and ORM. Drivers live behind their own entry points (`edgealchemy/neon`,
// `edgealchemy/libsql`) so that a Worker bundles only the one it uses.
export * from "./errors.ts"
