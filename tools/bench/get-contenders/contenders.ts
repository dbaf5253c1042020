// The get-by-id contenders of ../workerd-cpu.ts, written once for both places they run: Node, where
// each runs once against the local endpoints to record the driver's answers (./recording.ts), and
// workerd, where they run again and again over those answers (./replay.ts, ./worker.ts). Every
// contender returns the post as plain data, so the runner can check that they agree.
import { type Client, createClient } from "@libsql/client/web"
import { type NeonQueryFunction, neonConfig, neon as rawNeon } from "@neondatabase/serverless"
import { AsyncSession, type Engine } from "../../../src/index.ts"
import { createEngine as libsqlEngine } from "../../../src/libsql.ts"
import { createEngine as neonEngine } from "../../../src/neon.ts"
import { Post } from "../graph-load-models.ts"

export interface Endpoints {
  /** The PostgreSQL URL and neon-local's SQL-over-HTTP endpoint for it. */
  readonly neonUrl: string
  readonly neonFetchEndpoint: string
  /** libsql-local's URL for the database. */
  readonly libsqlUrl: string
}

export type Contender = () => Promise<unknown>

/** The contenders of each database, the raw driver (the baseline of ratios) first. */
export const GET_CONTENDERS = [
  {
    database: "Neon HTTP",
    names: ["neon raw driver", "neon raw driver, client per call", "neon edgealchemy"],
  },
  {
    database: "libSQL HTTP",
    names: ["libsql raw driver", "libsql raw driver, client per call", "libsql edgealchemy"],
  },
] as const

/** Throws unless `name`, replayed, read what it read when recorded, which is what the raw driver read. */
export function checkRead(
  name: string,
  raw: string,
  recorded: Record<string, string>,
  replayed: string,
): void {
  if (replayed !== recorded[name] || recorded[name] !== recorded[raw]) {
    throw new Error(
      `${name} read ${replayed} over its recording, ${recorded[name]} when recorded, ${raw} ${recorded[raw]}`,
    )
  }
}

export const GET_ID = 500
const COLUMNS = "id, title, content, published, user_id, created_at"

export interface PlainPost {
  id: number
  title: string
  content: string
  published: boolean
  userId: number
  createdAt: Date
}

/** A post as every contender returns it (and as JSON, with its date in ISO form, is compared). */
export const plainPost = (post: PlainPost): PlainPost => ({
  id: post.id,
  title: post.title,
  content: post.content,
  published: post.published,
  userId: post.userId,
  createdAt: post.createdAt,
})

/** `session.get(Post, GET_ID)` as a request at the edge does it: a fresh session, closed afterwards. */
export async function getPost(engine: Engine): Promise<PlainPost> {
  const session = new AsyncSession(engine)
  try {
    return plainPost((await session.get(Post, GET_ID)) as Post)
  } finally {
    await session.close()
  }
}

type PgRow = {
  id: number
  title: string
  content: string
  published: boolean
  user_id: number
  created_at: Date
}

/** The raw Neon driver's get by id, as its users write it. */
export async function neonRawGet(sql: NeonQueryFunction<false, false>): Promise<PlainPost> {
  const [row] = (await sql.query(`SELECT ${COLUMNS} FROM gl_posts WHERE id = $1`, [GET_ID])) as PgRow[]
  const { user_id, created_at, ...rest } = row as PgRow
  return plainPost({ ...rest, userId: user_id, createdAt: created_at })
}

/** The raw libSQL client's get by id, as its users write it (booleans are 0/1, timestamps UTC text). */
export async function libsqlRawGet(client: Client): Promise<PlainPost> {
  const result = await client.execute({ sql: `SELECT ${COLUMNS} FROM gl_posts WHERE id = ?`, args: [GET_ID] })
  const row = result.rows[0] as Record<string, unknown>
  return plainPost({
    id: Number(row.id),
    title: row.title as string,
    content: row.content as string,
    published: row.published === 1,
    userId: Number(row.user_id),
    createdAt: new Date(`${String(row.created_at).replace(" ", "T")}Z`),
  })
}

/**
 * The contenders by name: the raw drivers as their users write a get by id (a client kept across
 * calls), and edgealchemy's `session.get` in a fresh session. All fetch through the global `fetch`.
 */
export function contenders(endpoints: Endpoints): Record<string, Contender> {
  // The raw Neon driver's endpoint and fetch are process-wide; the global fetch is read at each call.
  neonConfig.fetchEndpoint = endpoints.neonFetchEndpoint
  const globalFetch = (input: RequestInfo | URL, init?: RequestInit) => fetch(input, init)
  neonConfig.fetchFunction = globalFetch
  const sql = rawNeon(endpoints.neonUrl)
  const neon = neonEngine(endpoints.neonUrl, { fetchEndpoint: endpoints.neonFetchEndpoint })
  const libsqlClient = createClient({ url: endpoints.libsqlUrl, fetch: globalFetch })
  const libsql = libsqlEngine(endpoints.libsqlUrl)
  return {
    "neon raw driver": () => neonRawGet(sql),
    "neon raw driver, client per call": () => neonRawGet(rawNeon(endpoints.neonUrl)),
    "neon edgealchemy": () => getPost(neon),
    "libsql raw driver": () => libsqlRawGet(libsqlClient),
    // Not closed: closing an idle HTTP client only builds an error (edgealchemy's transport skips it too).
    "libsql raw driver, client per call": () =>
      libsqlRawGet(createClient({ url: endpoints.libsqlUrl, fetch: globalFetch })),
    "libsql edgealchemy": () => getPost(libsql),
  }
}
