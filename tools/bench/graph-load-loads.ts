// The graph load of the benchmarks, one way per contender, shared by ./graph-load.ts (local
// stand-ins, wall time split into build, driver and hydrate) and ./engine-overhead.ts (answers
// replayed, CPU only): edgealchemy's query with its loader options, Drizzle's relational query, and
// the seeding of the tables. The hand-written load is in ./graph-load-hand.ts.
import {
  AsyncSession,
  createAll,
  type Engine,
  insert,
  joinedload,
  type Statement,
  select,
  selectinload,
} from "../../src/index.ts"
import {
  type CanonicalPost,
  Comment,
  canonical,
  PAGE_SIZE,
  Post,
  postTags,
  registry,
  seedRows,
  Tag,
  User,
} from "./graph-load-models.ts"

/** GRAPH_LOAD_STRATEGY=joined joins the two many-to-ones (authors) in instead of selecting them apart. */
export const JOINED = process.env.GRAPH_LOAD_STRATEGY === "joined"

export function graphQuery() {
  return select(Post)
    .options(
      JOINED ? joinedload(Post.author) : selectinload(Post.author),
      selectinload(Post.tags),
      JOINED
        ? selectinload(Post.comments).joinedload(Comment.author)
        : selectinload(Post.comments).selectinload(Comment.author),
    )
    .orderBy(Post.createdAt.desc(), Post.id.desc())
    .limit(PAGE_SIZE)
}

/**
 * The page through edgealchemy, in a fresh session as per request at the edge (an empty identity map,
 * so every row hydrates). `built` is called when the objects are ready, before the session closes.
 */
export async function edgealchemyGraph(engine: Engine, built?: () => void): Promise<Post[]> {
  const session = new AsyncSession(engine)
  try {
    const posts = (await session.scalars(graphQuery())).all()
    built?.()
    return posts
  } finally {
    await session.close()
  }
}

/** Drizzle's relational query: `db.query.posts.findMany({ with: drizzleWith, ... })`. */
export const drizzleWith = {
  author: true,
  postTags: { with: { tag: true } },
  comments: { with: { author: true } },
} as const

export interface DrizzlePost {
  id: number
  title: string
  published: boolean
  createdAt: Date
  author: { id: number; username: string; createdAt: Date }
  postTags: { tag: { name: string } }[]
  comments: { id: number; content: string; createdAt: Date; author: { username: string } }[]
}

export function fromDrizzle(posts: readonly DrizzlePost[]): CanonicalPost[] {
  return canonical(posts.map((post) => ({ ...post, tags: post.postTags.map((link) => link.tag) })))
}

/** The tables and rows, written through edgealchemy (the contenders only read). */
export async function seed(engine: Engine): Promise<void> {
  const connection = engine.connect()
  try {
    await createAll(registry.metadata, connection)
    const rows = seedRows()
    const chunked = <T>(list: T[], make: (chunk: T[]) => Statement) =>
      Array.from({ length: Math.ceil(list.length / 500) }, (_, i) => make(list.slice(i * 500, i * 500 + 500)))
    await connection.batch([
      ...chunked(rows.users, (chunk) => insert(User).values(chunk)),
      ...chunked(rows.tags, (chunk) => insert(Tag).values(chunk)),
      ...chunked(rows.posts, (chunk) => insert(Post).values(chunk)),
      ...chunked(rows.postTags, (chunk) => insert(postTags).values(chunk)),
      ...chunked(rows.comments, (chunk) => insert(Comment).values(chunk)),
    ])
  } finally {
    await connection.close()
  }
}
