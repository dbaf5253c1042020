// edgealchemy/migrate: Alembic-style revisions for PostgreSQL (Neon) and SQLite (libSQL/Turso).
//
// A revision is a TypeScript module in the migrations folder; its `upgrade(op)` and `downgrade(op)`
// record operations, and nothing runs while it is read:
//
//   import { defineRevision, Text } from "edgealchemy/migrate"
//   export default defineRevision({
//     id: "3f9a2c1b7d4e", parent: "1c0ffee2d00d", message: "user bio",
//     upgrade(op) { op.addColumn("users", { name: "bio", type: Text, nullable: true }) },
//     downgrade(op) { op.dropColumn("users", "bio") },
//   })
//
// The Migrator reads the version table (and, on SQLite, the schema) in one request, then applies
// each revision as one atomic request: a guarded version-table update first, then its DDL, so a
// failing revision leaves nothing behind and a concurrent runner applies nothing twice. SQLite does
// what its ALTER TABLE cannot through a table rebuild inside that same request.
//
//   const migrator = new Migrator(createEngine(env.DATABASE_URL), { revisions: staticRevisions([r1, r2]) })
//   await migrator.upgrade()                   // to head; or "+1", or a revision id
//   await migrator.downgrade("-1")             // or "base", or a revision id
//   const changes = await migrator.compare(registry.metadata)  // autogenerate's diff
//   writeRevision({ id: newRevisionId(), parent, message, changes })  // the revision file's text
//
// The CLI (`npx edgealchemy migrate revision|upgrade|downgrade|current|history|stamp|check|sql`)
// lives in cli/ and is built on these; its configuration is `edgealchemy.config.ts`:
//
//   import { defineConfig } from "edgealchemy/migrate"
//   export default defineConfig({ migrations: "migrations", models: "src/models.ts" })

import type { LibsqlOptions } from "./drivers/libsql/driver.ts"
import type { NeonOptions } from "./drivers/neon/settings.ts"

export { type Change, compareSchemas } from "./migrate/compare.ts"
export type { ServerDefault } from "./migrate/defaults.ts"
export { ConcurrentMigrationError, RevisionFailedError, RevisionGraphError } from "./migrate/errors.ts"
export { schemaOfMetadata } from "./migrate/from-metadata.ts"
export { introspect } from "./migrate/introspect/index.ts"
export { Migrator, type MigratorOptions, type StepEvent } from "./migrate/migrator.ts"
export {
  type ColumnChanges,
  type ColumnDef,
  type ForeignKeyDef,
  type Operation,
  Operations,
  type TableExtras,
} from "./migrate/operations.ts"
export {
  defineRevision,
  type RevisionModule,
  type RevisionProvider,
  revisionOf,
  staticRevisions,
} from "./migrate/provider.ts"
export { type Revision, RevisionGraph } from "./migrate/revision.ts"
export type { DatabaseSchema, TableSchema } from "./migrate/schema.ts"
export { newRevisionId, type RevisionFile, writeRevision } from "./migrate/writer.ts"
export { literalColumn } from "./sql/expression.ts"
export { func } from "./sql/functions.ts"
export {
  BigInteger,
  BooleanType as Boolean,
  DateOnly,
  DateTime,
  Float,
  Integer,
  Json,
  LargeBinary,
  Numeric,
  SmallInteger,
  StringType as String,
  Text,
  Uuid,
} from "./sql/types.ts"

/**
 * `edgealchemy.config.ts`, read by `npx edgealchemy migrate`. Paths are relative to the config file.
 * (Declared in this entry point rather than in `migrate/`, which may not know the drivers' options.)
 */
export interface CliConfig {
  /** The revisions folder; default `migrations`. */
  readonly migrations?: string
  /**
   * The module with the models, for `revision --autogenerate` and `check`: it exports their MetaData
   * as `metadata`, or the Registry they are declared in as `registry`; if neither, the models it
   * declares in the default registry count.
   */
  readonly models?: string
  /** The environment variable with the database URL; default `DATABASE_URL`. */
  readonly url?: string
  /** The environment variable with a libSQL auth token; default `DATABASE_AUTH_TOKEN`. */
  readonly authToken?: string
  /** The version table's name; default `edgealchemy_version`. */
  readonly versionTable?: string
  /** The module generated revisions import from, as a revision file spells it; default `edgealchemy/migrate`. */
  readonly importFrom?: string
  /** Neon driver settings, e.g. a local endpoint (`{ fetchEndpoint: "http://127.0.0.1:4444/sql" }`). */
  readonly neon?: NeonOptions
  /**
   * libSQL driver settings, e.g. `{ requestTimeoutMs: 30_000 }` so that a database that stops answering
   * ends the command instead of holding it. The token comes from the `authToken` variable.
   */
  readonly libsql?: Omit<LibsqlOptions, "authToken">
}

/** Types `edgealchemy.config.ts`: `export default defineConfig({ models: "src/models.ts" })`. */
export function defineConfig(config: CliConfig): CliConfig {
  return config
}
