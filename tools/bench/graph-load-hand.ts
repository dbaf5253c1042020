// The graph load written by hand against the raw drivers, as an expert would: the page of posts and
// its authors, tags, comments and comment authors as four SELECTs in one atomic request (each child
// query selects by a subquery of the page, so nothing waits for keys), then plain objects, users and
// tags shared between the posts and comments that reference them.
import type { Client as LibsqlClient } from "@libsql/client"
import type { NeonQueryFunction } from "@neondatabase/serverless"
import { PAGE_SIZE } from "./graph-load-models.ts"

/** When a load called its driver and when the driver answered (performance.now()). */
export interface Probe {
  sent: number
  received: number
}

export interface HandUser {
  id: number
  username: string
  email: string
  bio: string | null
  createdAt: Date
}
export interface HandTag {
  id: number
  name: string
}
export interface HandComment {
  id: number
  content: string
  createdAt: Date
  author: HandUser
}
export interface HandPost {
  id: number
  title: string
  content: string
  published: boolean
  createdAt: Date
  author: HandUser
  tags: HandTag[]
  comments: HandComment[]
}

/** The four statements; `$1` or `?1` is the page size. */
function statements(placeholder: string): string[] {
  const page = `SELECT id FROM gl_posts ORDER BY created_at DESC, id DESC LIMIT ${placeholder}`
  return [
    `SELECT id, title, content, published, user_id, created_at FROM gl_posts ORDER BY created_at DESC, id DESC LIMIT ${placeholder}`,
    `SELECT id, username, email, bio, created_at FROM gl_users WHERE id IN (SELECT user_id FROM gl_posts WHERE id IN (${page}) UNION SELECT user_id FROM gl_comments WHERE post_id IN (${page}))`,
    `SELECT pt.post_id, t.id, t.name FROM gl_post_tags pt JOIN gl_tags t ON t.id = pt.tag_id WHERE pt.post_id IN (${page})`,
    `SELECT id, content, user_id, post_id, created_at FROM gl_comments WHERE post_id IN (${page})`,
  ]
}
export const PG_STATEMENTS = statements("$1")
export const SQLITE_STATEMENTS = statements("?1")

type Row = ArrayLike<unknown>

/** Rows of the four statements to posts; `date` and `bool` turn the driver's values into JS ones. */
function build(
  [postRows, userRows, tagRows, commentRows]: readonly (readonly Row[])[],
  date: (value: unknown) => Date,
  bool: (value: unknown) => boolean,
): HandPost[] {
  const users = new Map<number, HandUser>()
  for (const r of userRows ?? []) {
    const id = Number(r[0])
    users.set(id, {
      id,
      username: r[1] as string,
      email: r[2] as string,
      bio: r[3] as string | null,
      createdAt: date(r[4]),
    })
  }
  const author = (id: unknown) => {
    const user = users.get(Number(id))
    if (!user) throw new Error(`hand-written load: no user ${String(id)} in the batch`)
    return user
  }
  const byId = new Map<number, HandPost>()
  const posts = (postRows ?? []).map((r) => {
    const post: HandPost = {
      id: Number(r[0]),
      title: r[1] as string,
      content: r[2] as string,
      published: bool(r[3]),
      createdAt: date(r[5]),
      author: author(r[4]),
      tags: [],
      comments: [],
    }
    byId.set(post.id, post)
    return post
  })
  const tags = new Map<number, HandTag>()
  for (const r of tagRows ?? []) {
    const id = Number(r[1])
    let tag = tags.get(id)
    if (!tag) {
      tag = { id, name: r[2] as string }
      tags.set(id, tag)
    }
    byId.get(Number(r[0]))?.tags.push(tag)
  }
  for (const r of commentRows ?? []) {
    byId.get(Number(r[3]))?.comments.push({
      id: Number(r[0]),
      content: r[1] as string,
      createdAt: date(r[4]),
      author: author(r[2]),
    })
  }
  return posts
}

/** Neon over HTTP: one `transaction([...])` request; the driver already gives Dates and booleans. */
export async function handNeon(sql: NeonQueryFunction<true, false>, probe: Probe): Promise<HandPost[]> {
  const queries = PG_STATEMENTS.map((text) => sql.query(text, [PAGE_SIZE]))
  probe.sent = performance.now()
  const results = await sql.transaction(queries, { readOnly: true })
  probe.received = performance.now()
  return build(
    results as unknown as Row[][],
    (value) => value as Date,
    (value) => value as boolean,
  )
}

/** libSQL over HTTP: one read `batch`; timestamps are edgealchemy's UTC text, booleans 0/1. */
export async function handLibsql(client: LibsqlClient, probe: Probe): Promise<HandPost[]> {
  const batch = SQLITE_STATEMENTS.map((sql) => ({ sql, args: [PAGE_SIZE] }))
  probe.sent = performance.now()
  const results = await client.batch(batch, "read")
  probe.received = performance.now()
  return build(
    results.map((result) => result.rows),
    (value) => new Date(`${String(value).replace(" ", "T")}Z`),
    (value) => value === 1 || value === 1n,
  )
}
