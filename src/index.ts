// edgealchemy: Core and ORM. Drivers live behind their own entry points (`edgealchemy/neon`,
// `edgealchemy/libsql`) so that a Worker bundles only the one it uses.
export { PostgresDialect, postgresql } from "./dialects/postgresql/dialect.ts"
export { SqliteDialect, sqlite } from "./dialects/sqlite/dialect.ts"
export type {
  Capabilities,
  Driver,
  IsolationLevel,
  RoundTrip,
  TransactionOptions,
} from "./drivers/transport.ts"
export { Connection } from "./engine/connection.ts"
export {
  type ConnectEvent,
  createEngine,
  Engine,
  type EngineDriver,
  type EngineOptions,
  type StatementEvent,
  withDialect,
} from "./engine/engine.ts"
export { Result, ScalarResult } from "./engine/result.ts"
export { beginNested, Savepoint, type SavepointState } from "./engine/savepoints.ts"
export * from "./errors.ts"
export { type AliasedModel, aliased } from "./orm/aliased.ts"
export { RelationshipAttribute } from "./orm/attribute.ts"
export { deleteFrom as delete, deleteFrom, update } from "./orm/dml.ts"
export { type FlushContext, listen, type MapperEvent, type SessionEvent, validates } from "./orm/events.ts"
export { type HybridInstaller, hybrid } from "./orm/hybrid.ts"
export { joinedload, LoaderOption, raiseload, selectinload, subqueryload } from "./orm/loading.ts"
export {
  type ColumnsOf,
  type ModelClass,
  type ModelFields,
  type ModelInit,
  type ModelInstance,
  type ModelOptions,
  model,
} from "./orm/model.ts"
export { type ExecuteOptions, type Page, ReadSession } from "./orm/read-session.ts"
export { defaultRegistry, Registry, registerModels } from "./orm/registry.ts"
export {
  type Cascade,
  type CascadeName,
  type RelationshipOptions,
  type RelationshipOrder,
  type RelationshipSpec,
  relationship,
} from "./orm/relationship.ts"
export { AsyncSession, type SessionOptions, sessionmaker } from "./orm/session.ts"
export { inspect, type ObjectState } from "./orm/state.ts"
export * from "./sql/index.ts"
export { TextStatement, text } from "./sql/text.ts"
