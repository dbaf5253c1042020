// The blog schema of the graph-load benchmark as edgealchemy models (the shape of test/orm/models.ts,
// on tables of its own), the data it is seeded with, and the canonical form every contender's result
// is reduced to, so that the three loads are checked to return the same graph.
import {
  Boolean,
  column,
  DateTime,
  Integer,
  model,
  Registry,
  relationship,
  String as SqlString,
  Text,
  table,
} from "../../src/index.ts"

export const registry = new Registry()

/**
 * Foreign-key and sort-key indexes, as a real schema has them. `GRAPH_LOAD_NO_INDEXES=1` leaves them
 * out, to show how each way of loading copes with a schema that lacks them.
 */
export const INDEXED = process.env.GRAPH_LOAD_NO_INDEXES !== "1"

export const postTags = table(
  "gl_post_tags",
  {
    postId: column(Integer, { primaryKey: true, name: "post_id", foreignKey: "gl_posts.id" }),
    tagId: column(Integer, { primaryKey: true, name: "tag_id", foreignKey: "gl_tags.id" }),
  },
  { metadata: registry.metadata },
)

export class User extends model(
  "gl_users",
  {
    id: column(Integer, { primaryKey: true }),
    username: column(SqlString(50), { unique: true }),
    email: column(SqlString(100)),
    bio: column(Text, { nullable: true }),
    createdAt: column(DateTime, { name: "created_at" }),
    posts: relationship<Post[]>("Post", { backPopulates: "author" }),
    comments: relationship<Comment[]>("Comment", { backPopulates: "author" }),
  },
  { registry },
) {}

export class Post extends model(
  "gl_posts",
  {
    id: column(Integer, { primaryKey: true }),
    title: column(SqlString(200)),
    content: column(Text),
    published: column(Boolean),
    userId: column(Integer, { name: "user_id", foreignKey: "gl_users.id" }),
    createdAt: column(DateTime, { name: "created_at", index: INDEXED }),
    author: relationship<User>("User", { backPopulates: "posts" }),
    comments: relationship<Comment[]>("Comment", { backPopulates: "post" }),
    tags: relationship<Tag[]>("Tag", { secondary: postTags, backPopulates: "posts" }),
  },
  { registry },
) {}

export class Comment extends model(
  "gl_comments",
  {
    id: column(Integer, { primaryKey: true }),
    content: column(Text),
    userId: column(Integer, { name: "user_id", foreignKey: "gl_users.id" }),
    postId: column(Integer, { name: "post_id", foreignKey: "gl_posts.id", index: INDEXED }),
    createdAt: column(DateTime, { name: "created_at" }),
    author: relationship<User>("User", { backPopulates: "comments" }),
    post: relationship<Post>("Post", { backPopulates: "comments" }),
  },
  { registry },
) {}

export class Tag extends model(
  "gl_tags",
  {
    id: column(Integer, { primaryKey: true }),
    name: column(SqlString(50), { unique: true }),
    posts: relationship<Post[]>("Post", { secondary: postTags, backPopulates: "tags" }),
  },
  { registry },
) {}

registry.registerModels(User, Post, Comment, Tag)

export const PAGE_SIZE = 20
const USERS = 200
const POSTS = 1000
const COMMENTS_PER_POST = 5
const TAGS = 50
const TAGS_PER_POST = 3

/** The rows the benchmark loads from: the same on both databases, from a fixed pseudo-random sequence. */
export function seedRows() {
  let state = 42
  const random = (n: number) => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31
    return state % n
  }
  const epoch = Date.UTC(2026, 0, 1)
  const minutes = (n: number) => new Date(epoch + n * 60_000)
  const users = Array.from({ length: USERS }, (_, i) => ({
    id: i + 1,
    username: `user${i + 1}`,
    email: `user${i + 1}@example.com`,
    bio: i % 3 === 0 ? null : `Writes about topic ${i % 17}. `.repeat(4),
    createdAt: minutes(i),
  }))
  const tags = Array.from({ length: TAGS }, (_, i) => ({ id: i + 1, name: `tag-${i + 1}` }))
  const posts = Array.from({ length: POSTS }, (_, i) => ({
    id: i + 1,
    title: `Post number ${i + 1}`,
    content: `Paragraph ${i + 1} of a blog post body, long enough to be realistic. `.repeat(6),
    published: i % 4 !== 0,
    userId: random(USERS) + 1,
    createdAt: minutes(10_000 + i * 7),
  }))
  const postTagRows: { postId: number; tagId: number }[] = []
  for (const post of posts) {
    const chosen = new Set<number>()
    // About three tags a post: two to four.
    const count = TAGS_PER_POST - 1 + random(3)
    while (chosen.size < count) chosen.add(random(TAGS) + 1)
    for (const tagId of chosen) postTagRows.push({ postId: post.id, tagId })
  }
  const comments = posts.flatMap((post, p) =>
    Array.from({ length: COMMENTS_PER_POST }, (_, c) => ({
      id: p * COMMENTS_PER_POST + c + 1,
      content: `Comment ${c + 1} on post ${post.id}: I agree with most of this.`,
      userId: random(USERS) + 1,
      postId: post.id,
      createdAt: minutes(20_000 + p * 7 + c),
    })),
  )
  return { users, tags, posts, postTags: postTagRows, comments }
}

/** What each contender's result is reduced to before comparing: plain data, children in id order. */
export interface CanonicalPost {
  id: number
  title: string
  published: boolean
  createdAt: string
  author: { id: number; username: string; createdAt: string }
  tags: string[]
  comments: { id: number; content: string; createdAt: string; author: string }[]
}

interface GraphLike {
  id: number
  title: string
  published: boolean
  createdAt: Date
  author: { id: number; username: string; createdAt: Date }
  tags: readonly { name: string }[]
  comments: readonly { id: number; content: string; createdAt: Date; author: { username: string } }[]
}

export function canonical(posts: readonly GraphLike[]): CanonicalPost[] {
  const iso = (date: Date) => {
    if (!(date instanceof Date) || Number.isNaN(date.getTime()))
      throw new TypeError(`expected a valid Date, got ${String(date)}`)
    return date.toISOString()
  }
  return posts.map((post) => ({
    id: post.id,
    title: post.title,
    published: post.published,
    createdAt: iso(post.createdAt),
    author: { id: post.author.id, username: post.author.username, createdAt: iso(post.author.createdAt) },
    tags: post.tags.map((tag) => tag.name).sort(),
    comments: [...post.comments]
      .sort((a, b) => a.id - b.id)
      .map((c) => ({ id: c.id, content: c.content, createdAt: iso(c.createdAt), author: c.author.username })),
  }))
}
