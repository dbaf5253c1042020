// GET /stats and GET /health: aggregates computed in SQL, in one query.
import { Hono } from "hono"
import { type Expression, func, literal, select } from "../../src/index.ts"
import type { BlogEnv } from "../http/app-env.ts"
import { Comment, Post, Tag, User } from "../models/index.ts"

export const stats = new Hono<BlogEnv>()

const countOf = (
  model: typeof User | typeof Post | typeof Comment | typeof Tag,
  where?: Expression<boolean>,
) =>
  select(func.count())
    .selectFrom(model)
    .where(...(where ? [where] : []))
    .scalarSubquery()

stats.get("/stats", async (c) => {
  const row = (
    await c.var.session.execute(
      select(
        countOf(User),
        countOf(Post),
        countOf(Post, Post.published.eq(true)),
        countOf(Comment),
        countOf(Tag),
      ),
    )
  ).one()
  const [users, posts, publishedPosts, comments, tagCount] = row.map((value) => Number(value ?? 0))
  return c.json({ users, posts, publishedPosts, comments, tags: tagCount })
})

stats.get("/health", async (c) => {
  await c.var.session.execute(select(literal(1)))
  return c.json({ ok: true, database: c.var.session.engine.dialect.name })
})
