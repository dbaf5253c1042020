// The blog's operations as the latency benchmark runs them, one implementation per contender
// (./blog-edgealchemy.ts, ./blog-drizzle-neon.ts, ./blog-drizzle-libsql.ts): what each takes, and what
// each answers, in the JSON shapes of BLOG_API.md, so that the contenders' answers can be compared.
// The HTTP layer (routing, validation, tokens, password hashing) is left out: it is the same app code
// whatever the ORM, and it would only blur what differs.

/** A status and the body a route would answer; errors as `{ error: { code } }`. */
export interface Answer {
  readonly status: number
  readonly body: unknown
}

/** The signed-in user, as the bearer token names them. */
export interface Viewer {
  readonly id: number
  readonly username: string
}

export interface NewUser {
  readonly username: string
  readonly email: string
  /** Hashed beforehand: PBKDF2 is the app's cost, not the ORM's. */
  readonly passwordHash: string
  readonly bio: string | null
}

export interface NewPost {
  readonly title: string
  readonly content: string
  readonly published: boolean
  readonly tags: readonly string[]
}

export interface PostChanges {
  readonly title?: string
  readonly tags?: readonly string[]
  readonly version: number
}

export interface Paging {
  readonly page: number
  readonly pageSize: number
}

export interface BlogOperations {
  /** POST /users: the user and its audit entry. */
  createUser(input: NewUser): Promise<Answer>
  /** POST /posts: the post, its tags (known ones reused, new ones created), links and audit entry. */
  createPost(author: Viewer, input: NewPost): Promise<Answer>
  /** GET /posts/:id: the post with author, tags, and comments with their authors. */
  getPost(id: number, viewer: Viewer | undefined): Promise<Answer>
  /** GET /posts: a page of published posts, newest first, with author, tags and comment count. */
  listPosts(paging: Paging): Promise<Answer>
  /** PATCH /posts/:id: title and tags, checked against `version` (409 when stale). */
  updatePost(viewer: Viewer, id: number, changes: PostChanges): Promise<Answer>
  /** DELETE /posts/:id: the post (comments and links by ON DELETE CASCADE) and its audit entry. */
  deletePost(viewer: Viewer, id: number): Promise<Answer>
  /** GET /stats: five counts. */
  stats(): Promise<Answer>
}

export const errorAnswer = (status: number, code: string): Answer => ({ status, body: { error: { code } } })

/** Lower-cased, trimmed, without repeats, in the order given (the blog's normalizeTagNames). */
export { normalizeTagNames } from "../../../worker/queries/tags.ts"

// The JSON shapes, for contenders whose rows are plain objects (the worker's serializers take models).

interface UserRow {
  id: number
  username: string
  email: string
  bio: string | null
  createdAt: Date
  isActive: boolean
}

export function userJson(user: UserRow) {
  const { id, username, email, bio, isActive } = user
  return { id, username, email, bio, createdAt: user.createdAt.toISOString(), isActive }
}

interface PostRow {
  id: number
  title: string
  content: string
  published: boolean
  createdAt: Date
  updatedAt: Date
  version: number
}

export function postJson(post: PostRow, author: Viewer, tagNames: readonly string[], commentCount: number) {
  return {
    id: post.id,
    title: post.title,
    content: post.content,
    published: post.published,
    createdAt: post.createdAt.toISOString(),
    updatedAt: post.updatedAt.toISOString(),
    version: post.version,
    author: { id: author.id, username: author.username },
    tags: [...tagNames].sort(),
    commentCount,
  }
}

interface CommentRow {
  id: number
  content: string
  createdAt: Date
  author: Viewer
}

/** GET /posts/:id's post: its comments oldest first. */
export function postDetailJson(
  post: PostRow,
  author: Viewer,
  tagNames: readonly string[],
  comments: CommentRow[],
) {
  const ordered = [...comments].sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.id - b.id)
  return {
    ...postJson(post, author, tagNames, ordered.length),
    comments: ordered.map((c) => ({
      id: c.id,
      content: c.content,
      createdAt: c.createdAt.toISOString(),
      author: { id: c.author.id, username: c.author.username },
    })),
  }
}

/**
 * An answer with the times written during the run (`since` on, ISO) left out, as each contender writes
 * at its own moment, for comparing two contenders' answers; everything else, ids and the seeded
 * rows' times included, must be equal.
 */
export function comparable(answer: Answer, since: string): string {
  return JSON.stringify(answer, (key, value) =>
    (key === "createdAt" || key === "updatedAt") && typeof value === "string" && value >= since
      ? "<written during the run>"
      : value,
  )
}
