// `npx tsx tools/bench/graph-load.ts`: a page of 20 posts with each post's author, tags, comments and
// each comment's author, loaded three ways side by side in one process against the local stand-ins
// (neon-local in front of a scratch PostgreSQL database, libsql-local over a temporary file):
// edgealchemy's `selectinload` graph, the same load written by hand on the raw drivers
// (./graph-load-hand.ts), and Drizzle's relational query (./graph-load-drizzle-schema.ts). The
// contenders take turns run by run, so drift in the machine hits them alike; RUNS and WARMUP tune it.
//
// What is measured, per load:
// - requests and statements: the stand-in's counters for the contender's own `/s/<scope>/` prefix
//   (GET /s/<scope>/__stats) over all measured runs, divided by the runs;
// - wall: the whole load, request included (for edgealchemy also opening and closing the session);
// - build CPU: from the start of the load to the moment the raw driver is called (building and
//   compiling the query);
// - driver: from that call to the driver's answer (the request, the database's work, the driver's own
//   parsing of the response), for comparison with the wall time;
// - hydrate CPU: from the moment the raw driver's promise settles with its rows to the moment the
//   objects are ready: for edgealchemy the engine's decoding of every value plus the ORM's identity
//   map and relationship assignment, for Drizzle its row mapping, for the hand-written load the loop
//   that builds plain objects. The driver's own parsing of the response (JSON, pg-types) is outside.
//   The seams: edgealchemy's Neon transport wrapped at `Driver.open` (its own work after the driver
//   answers is one `fields.map` per statement), its libSQL client wrapped at `createClient`, and
//   Drizzle's client wrapped where it calls `query`/`execute`. Both stretches are synchronous JS from
//   one mark to the next (only microtask hops in between, so no timer or I/O callback, such as the
//   in-process stand-ins, can run inside them): their wall time is the main thread's CPU time, read
//   with performance.now(), which resolves far finer than process.cpuUsage() and, unlike it, leaves
//   out the stand-ins' and the libuv pool's threads.

import type { Client as LibsqlClient } from "@libsql/client"
import { createClient as createLibsqlClient } from "@libsql/client/web"
import {
  type NeonQueryFunction,
  neonConfig,
  types as pgTypes,
  neon as rawNeon,
} from "@neondatabase/serverless"
import { drizzle as drizzleLibsql } from "drizzle-orm/libsql"
import { drizzle as drizzleNeon } from "drizzle-orm/neon-http"
import pg from "pg"
import { libsqlDriver } from "../../src/drivers/libsql/driver.ts"
import type { Transport } from "../../src/drivers/transport.ts"
import { type EngineDriver, withDialect } from "../../src/engine/engine.ts"
import {
  AsyncSession,
  createAll,
  createEngine,
  type Engine,
  insert,
  joinedload,
  type Statement,
  select,
  selectinload,
  sqlite,
} from "../../src/index.ts"
import { libsql } from "../../src/libsql.ts"
import { neon } from "../../src/neon.ts"
import { startLibsqlLocal } from "../libsql-local/index.ts"
import { startNeonLocal } from "../neon-local/index.ts"
import { pgSchema, sqliteSchema } from "./graph-load-drizzle-schema.ts"
import { handLibsql, handNeon, type Probe } from "./graph-load-hand.ts"
import {
  type CanonicalPost,
  Comment,
  canonical,
  INDEXED,
  PAGE_SIZE,
  Post,
  postTags,
  registry,
  seedRows,
  Tag,
  User,
} from "./graph-load-models.ts"
import { BenchmarkError, type Contender, type Marks, measure, report } from "./graph-load-runner.ts"

const pgUrl = process.env.PG_URL || "postgres://postgres@127.0.0.1:5432/postgres"

// --- edgealchemy ----------------------------------------------------------------------------------

/** GRAPH_LOAD_STRATEGY=joined joins the two many-to-ones (authors) in instead of selecting them apart. */
const JOINED = process.env.GRAPH_LOAD_STRATEGY === "joined"

function graphQuery() {
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

function edgealchemy(engine: Engine, scope: string): Contender {
  return {
    name: "edgealchemy",
    scope,
    load: async (marks) => {
      // A fresh session per load, as per request at the edge: an empty identity map, so every row hydrates.
      const session = new AsyncSession(engine)
      try {
        const posts = (await session.scalars(graphQuery())).all()
        marks.built = performance.now()
        return canonical(posts)
      } finally {
        await session.close()
      }
    },
  }
}

/** Marks when edgealchemy's transport hands a batch to the Neon driver and when the driver answers. */
function probedDriver(driver: EngineDriver, probe: Probe): EngineDriver {
  return {
    ...driver,
    open: (url, onRoundTrip) => {
      const transport = driver.open(url, onRoundTrip)
      return new Proxy(transport, {
        get(target, key) {
          if (key === "batch") {
            return async (...args: Parameters<Transport["batch"]>) => {
              probe.sent = performance.now()
              const results = await target.batch(...args)
              probe.received = performance.now()
              return results
            }
          }
          const value = Reflect.get(target, key, target)
          return typeof value === "function" ? value.bind(target) : value
        },
      })
    },
  }
}

/** A libSQL client whose `batch` and `execute` are marked (edgealchemy's client and Drizzle's). */
function probedLibsql(client: LibsqlClient, probe: Probe): LibsqlClient {
  return new Proxy(client, {
    get(target, key) {
      const value = Reflect.get(target, key, target)
      if (key !== "batch" && key !== "execute")
        return typeof value === "function" ? value.bind(target) : value
      return async (...args: unknown[]) => {
        probe.sent = performance.now()
        const result = await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args)
        probe.received = performance.now()
        return result
      }
    },
  })
}

/** Drizzle's Neon client, marked where Drizzle calls it (`client.query(sql, params, options)`). */
type NeonSql = NeonQueryFunction<false, false>
function probedNeonSql(sql: NeonSql, probe: Probe): NeonSql {
  return new Proxy(sql, {
    get(target, key, receiver) {
      if (key !== "query") return Reflect.get(target, key, receiver)
      return (...args: Parameters<NeonSql["query"]>) => {
        probe.sent = performance.now()
        // The driver's query is lazy: resolving it sends it.
        return Promise.resolve(target.query(...args)).then((result) => {
          probe.received = performance.now()
          return result
        })
      }
    },
  })
}

// --- Drizzle --------------------------------------------------------------------------------------

const drizzleWith = {
  author: true,
  postTags: { with: { tag: true } },
  comments: { with: { author: true } },
} as const

interface DrizzlePost {
  id: number
  title: string
  published: boolean
  createdAt: Date
  author: { id: number; username: string; createdAt: Date }
  postTags: { tag: { name: string } }[]
  comments: { id: number; content: string; createdAt: Date; author: { username: string } }[]
}

function fromDrizzle(posts: readonly DrizzlePost[]): CanonicalPost[] {
  return canonical(posts.map((post) => ({ ...post, tags: post.postTags.map((link) => link.tag) })))
}

/**
 * Drizzle's neon-http driver sets the driver's process-wide pg-types parsers for timestamps, dates and
 * intervals to return the raw text when it is constructed. Left in place, that would change what the
 * other two contenders get from the same driver (strings, parsed again later), so the benchmark runs
 * each contender with the parsers it was written for: Drizzle's only while Drizzle loads.
 */
const DRIZZLE_TYPE_IDS = [1184, 1114, 1082, 1186, 1231, 1115, 1185, 1187, 1182]
function withOwnParsers<T>(construct: () => T): { value: T; enter: () => void; leave: () => void } {
  type Parser = (value: string) => unknown
  const read = () => DRIZZLE_TYPE_IDS.map((id) => pgTypes.getTypeParser(id, "text") as Parser)
  const write = (parsers: Parser[]) =>
    DRIZZLE_TYPE_IDS.forEach((id, i) => {
      pgTypes.setTypeParser(id, parsers[i] as Parser)
    })
  const original = read()
  const value = construct()
  const drizzles = read()
  write(original)
  return { value, enter: () => write(drizzles), leave: () => write(original) }
}

/** The tables and rows, written through edgealchemy (the contenders only read). */
async function seed(engine: Engine): Promise<void> {
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

async function withScratchDatabase<T>(use: (url: string) => Promise<T>): Promise<T> {
  const name = `edgealchemy_bench_${Date.now().toString(36)}_${process.pid}`
  const admin = async (sql: string) => {
    const client = new pg.Client({ connectionString: pgUrl, connectionTimeoutMillis: 3000 })
    await client.connect()
    try {
      await client.query(sql)
    } finally {
      await client.end()
    }
  }
  try {
    await admin(`CREATE DATABASE "${name}"`)
  } catch (error) {
    throw new BenchmarkError(
      `No PostgreSQL to create a scratch database in at ${pgUrl} (${String(error)}); set PG_URL to one`,
    )
  }
  const url = new URL(pgUrl)
  url.pathname = `/${name}`
  try {
    return await use(url.toString())
  } finally {
    await admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)
  }
}

async function benchNeon(marks: Marks): Promise<CanonicalPost[]> {
  const neonLocal = await startNeonLocal({ upstream: pgUrl, port: 0 })
  try {
    return await withScratchDatabase(async (url) => {
      await seed(createEngine(url, { driver: neon({ fetchEndpoint: neonLocal.fetchEndpoint("setup") }) }))
      // The raw driver's endpoint is process-wide: each raw contender puts its own scope in place.
      const useScope = (scope: string) => {
        neonConfig.fetchEndpoint = neonLocal.fetchEndpoint(scope)
      }
      const handSql = rawNeon(url, { arrayMode: true })
      const drizzle = withOwnParsers(() =>
        drizzleNeon({ client: probedNeonSql(rawNeon(url), marks), schema: pgSchema }),
      )
      const engine = createEngine(url, {
        driver: probedDriver(neon({ fetchEndpoint: neonLocal.fetchEndpoint("edgealchemy") }), marks),
      })
      const { rows, graph } = await measure(
        "Neon HTTP",
        neonLocal.url,
        [
          edgealchemy(engine, "edgealchemy"),
          {
            name: "hand-written",
            scope: "hand",
            enter: () => useScope("hand"),
            load: async (m) => {
              const posts = await handNeon(handSql, m)
              m.built = performance.now()
              return canonical(posts)
            },
          },
          {
            name: "drizzle",
            scope: "drizzle",
            enter: () => {
              useScope("drizzle")
              drizzle.enter()
            },
            leave: drizzle.leave,
            load: async (m) => {
              const posts = await drizzle.value.query.posts.findMany({
                with: drizzleWith,
                orderBy: (post, { desc }) => [desc(post.createdAt), desc(post.id)],
                limit: PAGE_SIZE,
              })
              m.built = performance.now()
              return fromDrizzle(posts)
            },
          },
        ],
        marks,
      )
      report("Neon HTTP (neon-local, PostgreSQL)", rows)
      return graph
    })
  } finally {
    await neonLocal.stop()
  }
}

async function benchLibsql(marks: Marks): Promise<CanonicalPost[]> {
  const libsqlLocal = await startLibsqlLocal({ port: 0 })
  try {
    const at = (scope: string) => `${libsqlLocal.url}/s/${scope}/`
    await seed(createEngine(at("setup"), { driver: libsql() }))
    const probedCreateClient: typeof createLibsqlClient = (config) =>
      probedLibsql(createLibsqlClient(config), marks)
    const driver = withDialect(libsqlDriver(probedCreateClient, "http", {}), sqlite)
    const engine = createEngine(at("edgealchemy"), { driver })
    const handClient = createLibsqlClient({ url: at("hand") })
    const drizzleDb = drizzleLibsql({
      client: probedLibsql(createLibsqlClient({ url: at("drizzle") }), marks),
      schema: sqliteSchema,
    })
    try {
      const { rows, graph } = await measure(
        "libSQL HTTP",
        libsqlLocal.url,
        [
          edgealchemy(engine, "edgealchemy"),
          {
            name: "hand-written",
            scope: "hand",
            load: async (m) => {
              const posts = await handLibsql(handClient, m)
              m.built = performance.now()
              return canonical(posts)
            },
          },
          {
            name: "drizzle",
            scope: "drizzle",
            load: async (m) => {
              const posts = await drizzleDb.query.posts.findMany({
                with: drizzleWith,
                orderBy: (post, { desc }) => [desc(post.createdAt), desc(post.id)],
                limit: PAGE_SIZE,
              })
              m.built = performance.now()
              return fromDrizzle(posts)
            },
          },
        ],
        marks,
      )
      report("libSQL HTTP (libsql-local, SQLite file)", rows)
      console.log("(libSQL statements include the BEGIN and COMMIT that wrap every batch)")
      return graph
    } finally {
      handClient.close()
      drizzleDb.$client.close()
    }
  } finally {
    await libsqlLocal.stop()
  }
}

const seeded = seedRows()
console.log(
  `graph load: ${PAGE_SIZE} posts (newest first) with author, tags, comments and comment authors, from ` +
    `${seeded.users.length} users, ${seeded.posts.length} posts, ${seeded.comments.length} comments, ` +
    `${seeded.tags.length} tags, ${seeded.postTags.length} post-tag links; ` +
    (INDEXED
      ? "indexes on gl_comments.post_id and gl_posts.created_at (GRAPH_LOAD_NO_INDEXES=1 leaves them out)"
      : "NO indexes on gl_comments.post_id and gl_posts.created_at"),
)
console.log(
  "build CPU: start of the load to the driver call; driver: the call to its answer; hydrate CPU: the driver's answer to objects ready (see the header)",
)
const marks: Marks = { started: 0, sent: 0, received: 0, built: 0 }
const pgGraph = await benchNeon(marks)
const sqliteGraph = await benchLibsql(marks)
if (JSON.stringify(pgGraph) !== JSON.stringify(sqliteGraph))
  throw new BenchmarkError("PostgreSQL and SQLite returned different pages from the same seed")
console.log(
  `\nAll contenders returned the same ${PAGE_SIZE} posts (ids, authors, tag names, comments and their authors) on both databases.`,
)
