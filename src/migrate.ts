// edgealchemy/migrate: Alembic-style revisions for both databases. Revisions record operations on
// `op`; the Migrator applies each revision as one atomic request with its version-table update;
// `compare` (autogenerate) diffs model metadata with the live schema; `writeRevision` renders a
// revision file. The CLI (`npx edgealchemy migrate ...`) is built on these.
//
//   const migrator = new Migrator(createEngine(env.DATABASE_URL), { revisions: staticRevisions([r1, r2]) })
//   await migrator.upgrade()            // to head; one request per revision

export { type Change, compareSchemas } from "./migrate/compare.ts"
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
