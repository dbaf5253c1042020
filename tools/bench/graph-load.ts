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
import { type NeonQueryFunction, neonConfig, neon as rawNeon } from "@neondatabase/serverless"
import { drizzle as drizzleLibsql } from "drizzle-orm/libsql"
import { drizzle as drizzleNeon } from "drizzle-orm/neon-http"
import type { Transport } from "../../src/drivers/transport.ts"
import type { EngineDriver } from "../../src/engine/engine.ts"
import { createEngine, type Engine } from "../../src/index.ts"
import { libsql } from "../../src/libsql.ts"
import { neon } from "../../src/neon.ts"
import { startLibsqlLocal } from "../libsql-local/index.ts"
import { startNeonLocal } from "../neon-local/index.ts"
import { pgSchema, sqliteSchema } from "./graph-load-drizzle-schema.ts"
import { handLibsql, handNeon, type Probe } from "./graph-load-hand.ts"
import { drizzleWith, edgealchemyGraph, fromDrizzle, seed } from "./graph-load-loads.ts"
import { type CanonicalPost, canonical, INDEXED, PAGE_SIZE, seedRows } from "./graph-load-models.ts"
import {
  type Contender,
  type Marks,
  type Measured,
  type MeasureOptions,
  measure,
  report,
} from "./graph-load-runner.ts"
import { BenchmarkError } from "./support/benchmark-error.ts"
import { withOwnParsers } from "./support/drizzle-neon-parsers.ts"
import { isMain } from "./support/main.ts"
import { PG_URL, withScratchDatabase } from "./support/scratch-database.ts"

// --- edgealchemy ----------------------------------------------------------------------------------

function edgealchemy(engine: Engine, scope: string): Contender {
  return {
    name: "edgealchemy",
    scope,
    load: async (marks) =>
      canonical(
        await edgealchemyGraph(engine, () => {
          marks.built = performance.now()
        }),
      ),
  }
}

/** Marks when edgealchemy's transport is handed a batch and when it answers (Neon's driver, or Hrana). */
function probedDriver(driver: EngineDriver, probe: Probe): EngineDriver {
  return {
    ...driver,
    open: (url, roundTrips) => {
      const transport = driver.open(url, roundTrips)
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

/** A libSQL client whose `batch` and `execute` are marked (Drizzle's). */
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

interface DatabaseResult {
  rows: Measured[]
  graph: CanonicalPost[]
}

async function benchNeon(marks: Marks, options: MeasureOptions): Promise<DatabaseResult> {
  const neonLocal = await startNeonLocal({ upstream: PG_URL, port: 0 })
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
        options,
      )
      report("Neon HTTP (neon-local, PostgreSQL)", rows, options)
      return { rows, graph }
    })
  } finally {
    await neonLocal.stop()
  }
}

async function benchLibsql(marks: Marks, options: MeasureOptions): Promise<DatabaseResult> {
  const libsqlLocal = await startLibsqlLocal({ port: 0 })
  try {
    const at = (scope: string) => `${libsqlLocal.url}/s/${scope}/`
    await seed(createEngine(at("setup"), { driver: libsql() }))
    const engine = createEngine(at("edgealchemy"), { driver: probedDriver(libsql(), marks) })
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
        options,
      )
      report("libSQL HTTP (libsql-local, SQLite file)", rows, options)
      console.log("(libSQL statements include the BEGIN and COMMIT that wrap every batch)")
      return { rows, graph }
    } finally {
      handClient.close()
      drizzleDb.$client.close()
    }
  } finally {
    await libsqlLocal.stop()
  }
}

/** Both databases, each contender checked against the others; the tables are printed as they finish. */
export async function runGraphLoad(
  options: MeasureOptions,
): Promise<{ neon: Measured[]; libsql: Measured[] }> {
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
  const pg = await benchNeon(marks, options)
  const sqlite = await benchLibsql(marks, options)
  if (JSON.stringify(pg.graph) !== JSON.stringify(sqlite.graph))
    throw new BenchmarkError("PostgreSQL and SQLite returned different pages from the same seed")
  console.log(
    `\nAll contenders returned the same ${PAGE_SIZE} posts (ids, authors, tag names, comments and their authors) on both databases.`,
  )
  return { neon: pg.rows, libsql: sqlite.rows }
}

if (isMain("graph-load")) {
  await runGraphLoad({ runs: Number(process.env.RUNS ?? 200), warmup: Number(process.env.WARMUP ?? 30) })
}
