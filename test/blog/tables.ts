// What the blog's tables hold, as counts per table: a failed request must leave them all as they were.
import { type Engine, func, select } from "../../src/index.ts"
import { AuditLog, Comment, IdempotencyKey, Post, postTags, Tag, User } from "../../worker/models/index.ts"

export interface TableCounts {
  users: number
  posts: number
  comments: number
  tags: number
  postTags: number
  auditLogs: number
  idempotencyKeys: number
}

export async function tableCounts(engine: Engine): Promise<TableCounts> {
  const count = (from: Parameters<ReturnType<typeof select>["selectFrom"]>[0]) =>
    select(func.count()).selectFrom(from).scalarSubquery()
  const result = await engine.execute(
    select(
      count(User),
      count(Post),
      count(Comment),
      count(Tag),
      count(postTags),
      count(AuditLog),
      count(IdempotencyKey),
    ),
  )
  const [users, posts, comments, tags, links, audits, keys] = (result.one() as unknown[]).map(Number)
  return {
    users: users ?? 0,
    posts: posts ?? 0,
    comments: comments ?? 0,
    tags: tags ?? 0,
    postTags: links ?? 0,
    auditLogs: audits ?? 0,
    idempotencyKeys: keys ?? 0,
  }
}
