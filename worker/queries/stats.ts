// The blog's numbers, as aggregates computed in SQL in one query (GET /stats).
import { type AsyncSession, type Expression, func, type ReadSession, select } from "../../src/index.ts"
import { Comment, Post, Tag, User } from "../models/index.ts"

export interface BlogStats {
  users: number
  posts: number
  publishedPosts: number
  comments: number
  tags: number
}

const countOf = (
  model: typeof User | typeof Post | typeof Comment | typeof Tag,
  where?: Expression<boolean>,
) =>
  select(func.count())
    .selectFrom(model)
    .where(...(where ? [where] : []))
    .scalarSubquery()

export async function blogStats(session: ReadSession | AsyncSession): Promise<BlogStats> {
  const row = (
    await session.execute(
      select(
        countOf(User),
        countOf(Post),
        countOf(Post, Post.published.eq(true)),
        countOf(Comment),
        countOf(Tag),
      ),
    )
  ).one()
  const [users = 0, posts = 0, publishedPosts = 0, comments = 0, tags = 0] = row.map((value) =>
    Number(value ?? 0),
  )
  return { users, posts, publishedPosts, comments, tags }
}
