// Flush renderers by dialect. Driver entry points register theirs (`edgealchemy/neon` PostgreSQL's,
// `edgealchemy/libsql` SQLite's), so that a bundle carries the renderer of its own database only.
import { InvalidRequestError } from "../../errors.ts"
import type { Dialect } from "../../sql/compiler/dialect.ts"
import type { FlushRenderer } from "./render.ts"

const renderers = new Map<string, FlushRenderer>()

export function registerFlushRenderer(dialect: Dialect, renderer: FlushRenderer): void {
  renderers.set(dialect.name, renderer)
}

export function flushRendererFor(dialect: Dialect): FlushRenderer {
  const renderer = renderers.get(dialect.name)
  if (!renderer) {
    throw new InvalidRequestError(
      `No flush renderer for ${dialect.name}: create the engine with a driver from "edgealchemy/neon" or "edgealchemy/libsql"`,
    )
  }
  return renderer
}
