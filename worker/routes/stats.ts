// GET /stats (aggregates computed in SQL, in one query) and GET /health.
import { Hono } from "hono"
import { literal, select } from "../../src/index.ts"
import type { BlogEnv } from "../http/app-env.ts"
import { blogStats } from "../queries/stats.ts"

export const stats = new Hono<BlogEnv>()

stats.get("/stats", async (c) => c.json(await blogStats(c.var.session)))

stats.get("/health", async (c) => {
  await c.var.session.execute(select(literal(1)))
  return c.json({ ok: true, database: c.var.session.engine.dialect.name })
})
