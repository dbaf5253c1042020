// Flush renderers by dialect. AsyncSession reaches them, and only it: a worker that reads with
// ReadSession carries neither. A write worker on one database carries the other's too (about 1 KB
// gzipped): picking by the driver entry would need that entry to register its renderer, which would put
// the renderer in every bundle of that entry, read-only ones included.
import { InvalidRequestError } from "../../errors.ts"
import type { Dialect } from "../../sql/compiler/dialect.ts"
import { postgresFlushRenderer } from "./postgres.ts"
import type { FlushRenderer } from "./render.ts"
import { sqliteFlushRenderer } from "./sqlite.ts"

export function flushRendererFor(dialect: Dialect): FlushRenderer {
  const renderer =
    dialect.name === "postgresql"
      ? postgresFlushRenderer
      : dialect.name === "sqlite"
        ? sqliteFlushRenderer
        : undefined
  if (!renderer) {
    throw new InvalidRequestError(
      `No flush renderer for ${dialect.name}: the ORM writes through engines of "edgealchemy/neon" or "edgealchemy/libsql"`,
    )
  }
  return renderer
}
