// `npx tsx tools/bench/engine-overhead.ts` (`npm run bench:cpu`): the ORM's own CPU per operation
// against the raw driver's, with no I/O in the timing. Each contender runs its operation once against
// the local stand-ins (neon-local in front of a scratch PostgreSQL database, libsql-local over a
// temporary file) through a recording fetch; from then on every contender runs over a fetch that
// answers from its recording (./support/replay-fetch.ts), so the timings hold the main thread's work
// only: building the request, the driver's parsing of the answer, and whatever the contender adds.
// The raw driver parsing the same bytes is the baseline.
//
// Operations, on Neon HTTP and libSQL HTTP:
// - get by id: `session.get(Post, id)` in a fresh session (also with `requestTimeoutMs` set, as the blog
//   runs it), against the raw driver's one SELECT by key (with one client for the whole run, and with a
//   new client per call as edgealchemy's libSQL connection makes one), and Drizzle's
//   `db.select().from(posts).where(eq(posts.id, id))`;
// - graph load: a page of 20 posts with author, tags, comments and comment authors (./graph-load-*.ts):
//   edgealchemy's selectinload graph, the hand-written load on the raw driver, Drizzle's relational query.
//
// Contenders take turns (A B, B A, ...), each turn many operations; a sample is a turn's time divided
// by its operations. Printed: the median per operation with the interquartile range, and the median of
// the per-round ratios to the raw driver (paired, so a slow moment of the machine lands in both halves).
// Knobs: ROUNDS (default 60), WARMUP_ROUNDS (10), GET_PER_TURN (200), GRAPH_PER_TURN (20).
import { createClient as createLibsqlClient } from "@libsql/client/web"
import { neonConfig, neon as rawNeon } from "@neondatabase/serverless"
import { eq } from "drizzle-orm"
import { drizzle as drizzleLibsql } from "drizzle-orm/libsql"
import { drizzle as drizzleNeon } from "drizzle-orm/neon-http"
import { AsyncSession, createEngine, type Engine } from "../../src/index.ts"
import { libsql } from "../../src/libsql.ts"
import { neon } from "../../src/neon.ts"
import { startLibsqlLocal } from "../libsql-local/index.ts"
import { startNeonLocal } from "../neon-local/index.ts"
import { GET_ID, libsqlRawGet, neonRawGet, type PlainPost } from "./get-contenders/contenders.ts"
import { pgPosts, pgSchema, sqlitePosts, sqliteSchema } from "./graph-load-drizzle-schema.ts"
import { handLibsql, handNeon, type Probe } from "./graph-load-hand.ts"
import { drizzleWith, edgealchemyGraph, fromDrizzle, seed } from "./graph-load-loads.ts"
import { canonical, PAGE_SIZE, Post } from "./graph-load-models.ts"
import { BenchmarkError } from "./support/benchmark-error.ts"
import { withOwnParsers } from "./support/drizzle-neon-parsers.ts"
import { isMain } from "./support/main.ts"
import { ReplayFetch, Tape } from "./support/replay-fetch.ts"
import { PG_URL, withScratchDatabase } from "./support/scratch-database.ts"
import { formatSummary, interleave, type Summary, summarize, type TimedContender } from "./support/stats.ts"

export interface ReplayOptions {
  readonly rounds: number
  readonly warmupRounds: number
  /** Operations per turn, per operation kind (a turn should last milliseconds, not microseconds). */
  readonly perTurn: { readonly get: number; readonly graph: number }
}

export interface ContenderFigures {
  readonly name: string
  /** HTTP requests one operation sends (all answered from the recording while timed). */
  readonly requests: number
  /** Wall microseconds per operation (the main thread's work: no I/O, no timer is waited for). */
  readonly micros: Summary
  /** Paired per-round ratios of wall time to the first contender's (the raw driver's). */
  readonly ratio: Summary
  /** The process's CPU microseconds per operation (steadier on a busy machine; includes V8's helpers). */
  readonly cpuMicros: Summary
  readonly cpuRatio: Summary
}

export interface OperationFigures {
  readonly database: "Neon HTTP" | "libSQL HTTP"
  readonly operation: string
  readonly contenders: readonly ContenderFigures[]
  /** The process's CPU time over the timed rounds divided by their wall time (near 1: nothing idled). */
  readonly cpuPerWall: number
}

interface ReplayContender {
  readonly name: string
  readonly run: () => Promise<unknown>
  /** What the operation returned, reduced to plain data, to check the contenders agree. */
  readonly canonical: (result: unknown) => unknown
  readonly enter?: () => void
  readonly leave?: () => void
}

/** The blog's `requestTimeoutMs`: what a round trip with a limit adds (a timer, a promise) is measured too. */
const REQUEST_TIMEOUT_MS = 10_000
const WITH_TIMEOUT = "edgealchemy, requestTimeoutMs"
const noProbe: Probe = { sent: 0, received: 0 }

/** A post as every get-by-id contender's result is compared. */
function canonicalPost(post: PlainPost) {
  if (!(post.createdAt instanceof Date))
    throw new BenchmarkError(`createdAt is not a Date: ${post.createdAt}`)
  const { id, title, content, published, userId } = post
  return { id, title, content, published, userId, createdAt: post.createdAt.toISOString() }
}

/** `session.get(Post, id)` as a request at the edge does it: a fresh session, closed afterwards. */
function edgealchemyGet(engine: Engine, name = "edgealchemy"): ReplayContender {
  return {
    name,
    run: async () => {
      const session = new AsyncSession(engine)
      try {
        return await session.get(Post, GET_ID)
      } finally {
        await session.close()
      }
    },
    canonical: (post) => canonicalPost(post as Post),
  }
}

/** An operation recorded for every contender, checked, and ready to replay. */
export interface RecordedOperation {
  readonly database: OperationFigures["database"]
  readonly operation: string
  readonly kind: "get" | "graph"
  /** Each contender with its recording put in place by `enter` and taken away by `leave`. */
  readonly contenders: readonly (TimedContender & { readonly requests: number })[]
}

/** Records each contender's operation once, checks that they agree and that their replays agree. */
async function recordOperation(
  database: OperationFigures["database"],
  kind: RecordedOperation["kind"],
  operation: string,
  replay: ReplayFetch,
  contenders: readonly ReplayContender[],
): Promise<RecordedOperation> {
  const tapes = contenders.map((c) => new Tape(`${database} ${operation}: ${c.name}`))
  const within = async <T>(c: ReplayContender, run: () => Promise<T>) => {
    c.enter?.()
    try {
      return await run()
    } finally {
      c.leave?.()
    }
  }
  const expected: string[] = []
  for (const [i, contender] of contenders.entries()) {
    replay.record(tapes[i] as Tape)
    expected.push(JSON.stringify(contender.canonical(await within(contender, contender.run))))
  }
  replay.off()
  for (const [i, contender] of contenders.entries()) {
    if (expected[i] !== expected[0]) {
      throw new BenchmarkError(
        `${database} ${operation}: ${contender.name} returned ${expected[i]?.slice(0, 300)}, ` +
          `${contenders[0]?.name} ${expected[0]?.slice(0, 300)}`,
      )
    }
    // Twice, to be sure the tape is one operation long and replays line up with it.
    for (let check = 0; check < 2; check++) {
      replay.replay(tapes[i] as Tape, { verify: true })
      const replayed = JSON.stringify(contender.canonical(await within(contender, contender.run)))
      if (replayed !== expected[i])
        throw new BenchmarkError(`${database} ${operation}: ${contender.name}'s replay differs`)
    }
    replay.off()
  }
  return {
    database,
    operation,
    kind,
    contenders: contenders.map((contender, i) => ({
      name: contender.name,
      requests: (tapes[i] as Tape).length,
      enter: () => {
        replay.replay(tapes[i] as Tape)
        contender.enter?.()
      },
      leave: () => {
        contender.leave?.()
        replay.off()
      },
      run: contender.run,
    })),
  }
}

/** Times a recorded operation, its contenders interleaved. */
async function timeOperation(recorded: RecordedOperation, options: ReplayOptions): Promise<OperationFigures> {
  const cpuBefore = process.cpuUsage()
  const wallBefore = performance.now()
  const {
    times,
    ratios,
    cpu: cpuTimes,
    cpuRatios,
  } = await interleave(recorded.contenders, {
    rounds: options.rounds,
    warmupRounds: options.warmupRounds,
    perTurn: options.perTurn[recorded.kind],
  })
  const cpu = process.cpuUsage(cpuBefore)
  const wall = performance.now() - wallBefore
  return {
    database: recorded.database,
    operation: recorded.operation,
    cpuPerWall: (cpu.user + cpu.system) / 1000 / wall,
    contenders: recorded.contenders.map((contender, i) => ({
      name: contender.name,
      requests: contender.requests,
      micros: summarize((times[i] as number[]).map((ms) => ms * 1000)),
      ratio: summarize(ratios[i] as number[]),
      cpuMicros: summarize((cpuTimes[i] as number[]).map((ms) => ms * 1000)),
      cpuRatio: summarize(cpuRatios[i] as number[]),
    })),
  }
}

type UseOperations<T> = (operations: RecordedOperation[]) => Promise<T>

async function withNeonOperations<T>(replay: ReplayFetch, use: UseOperations<T>): Promise<T> {
  // The raw driver's endpoint and fetch are process-wide: set for the run, put back after.
  const saved = { endpoint: neonConfig.fetchEndpoint, fetch: neonConfig.fetchFunction }
  const neonLocal = await startNeonLocal({ upstream: PG_URL, port: 0 })
  try {
    return await withScratchDatabase(async (url) => {
      await seed(createEngine(url, { driver: neon({ fetchEndpoint: neonLocal.fetchEndpoint("setup") }) }))
      // The raw driver's endpoint and fetch are process-wide (edgealchemy sets its own around each call).
      neonConfig.fetchEndpoint = neonLocal.fetchEndpoint("raw")
      neonConfig.fetchFunction = replay.fetch
      const engine = createEngine(url, {
        driver: neon({ fetchEndpoint: neonLocal.fetchEndpoint("edgealchemy") }),
      })
      const sql = rawNeon(url)
      const arraySql = rawNeon(url, { arrayMode: true })
      const drizzle = withOwnParsers(() => drizzleNeon({ client: rawNeon(url), schema: pgSchema }))
      const get = await recordOperation(
        "Neon HTTP",
        "get",
        `get by id (session.get(Post, ${GET_ID}))`,
        replay,
        [
          {
            name: "raw driver",
            run: () => neonRawGet(sql),
            canonical: (post) => canonicalPost(post as PlainPost),
          },
          {
            name: "raw driver, client per call",
            run: () => neonRawGet(rawNeon(url)),
            canonical: (post) => canonicalPost(post as PlainPost),
          },
          edgealchemyGet(engine),
          edgealchemyGet(
            createEngine(url, {
              driver: neon({
                fetchEndpoint: neonLocal.fetchEndpoint("edgealchemy-timeout"),
                requestTimeoutMs: REQUEST_TIMEOUT_MS,
              }),
            }),
            WITH_TIMEOUT,
          ),
          {
            name: "drizzle",
            enter: drizzle.enter,
            leave: drizzle.leave,
            run: async () => (await drizzle.value.select().from(pgPosts).where(eq(pgPosts.id, GET_ID)))[0],
            canonical: (post) => canonicalPost(post as typeof pgPosts.$inferSelect),
          },
        ],
      )
      const graph = await recordOperation(
        "Neon HTTP",
        "graph",
        `graph load (${PAGE_SIZE} posts, author, tags, comments and their authors)`,
        replay,
        [
          {
            name: "raw driver, hand-written",
            run: () => handNeon(arraySql, noProbe),
            canonical: (posts) => canonical(posts as Awaited<ReturnType<typeof handNeon>>),
          },
          {
            name: "edgealchemy",
            run: () => edgealchemyGraph(engine),
            canonical: (posts) => canonical(posts as Post[]),
          },
          {
            name: "drizzle",
            enter: drizzle.enter,
            leave: drizzle.leave,
            run: () =>
              drizzle.value.query.posts.findMany({
                with: drizzleWith,
                orderBy: (post, { desc }) => [desc(post.createdAt), desc(post.id)],
                limit: PAGE_SIZE,
              }),
            canonical: (posts) => fromDrizzle(posts as Parameters<typeof fromDrizzle>[0]),
          },
        ],
      )
      return use([get, graph])
    })
  } finally {
    neonConfig.fetchEndpoint = saved.endpoint
    neonConfig.fetchFunction = saved.fetch
    await neonLocal.stop()
  }
}

async function withLibsqlOperations<T>(replay: ReplayFetch, use: UseOperations<T>): Promise<T> {
  const libsqlLocal = await startLibsqlLocal({ port: 0 })
  const at = (scope: string) => `${libsqlLocal.url}/s/${scope}/`
  const clients: { close(): void }[] = []
  const client = (scope: string) => {
    const made = createLibsqlClient({ url: at(scope), fetch: replay.fetch })
    clients.push(made)
    return made
  }
  try {
    await seed(createEngine(at("setup"), { driver: libsql() }))
    // edgealchemy's transport hands the client its own fetch, which calls the global one.
    const engine = createEngine(at("edgealchemy"), { driver: libsql() })
    const raw = client("raw")
    const hand = client("hand")
    const drizzleDb = drizzleLibsql({ client: client("drizzle"), schema: sqliteSchema })
    const rawUrl = at("raw-per-call")
    const get = await recordOperation(
      "libSQL HTTP",
      "get",
      `get by id (session.get(Post, ${GET_ID}))`,
      replay,
      [
        {
          name: "raw driver",
          run: () => libsqlRawGet(raw),
          canonical: (post) => canonicalPost(post as PlainPost),
        },
        {
          name: "raw driver, client per call",
          // Not closed: closing an idle HTTP client only builds an error (edgealchemy's transport skips it too).
          run: () => libsqlRawGet(createLibsqlClient({ url: rawUrl, fetch: replay.fetch })),
          canonical: (post) => canonicalPost(post as PlainPost),
        },
        edgealchemyGet(engine),
        edgealchemyGet(
          createEngine(at("edgealchemy-timeout"), {
            driver: libsql({ requestTimeoutMs: REQUEST_TIMEOUT_MS }),
          }),
          WITH_TIMEOUT,
        ),
        {
          name: "drizzle",
          run: async () => (await drizzleDb.select().from(sqlitePosts).where(eq(sqlitePosts.id, GET_ID)))[0],
          canonical: (post) => canonicalPost(post as typeof sqlitePosts.$inferSelect),
        },
      ],
    )
    const graph = await recordOperation(
      "libSQL HTTP",
      "graph",
      `graph load (${PAGE_SIZE} posts, author, tags, comments and their authors)`,
      replay,
      [
        {
          name: "raw driver, hand-written",
          run: () => handLibsql(hand, noProbe),
          canonical: (posts) => canonical(posts as Awaited<ReturnType<typeof handLibsql>>),
        },
        {
          name: "edgealchemy",
          run: () => edgealchemyGraph(engine),
          canonical: (posts) => canonical(posts as Post[]),
        },
        {
          name: "drizzle",
          run: () =>
            drizzleDb.query.posts.findMany({
              with: drizzleWith,
              orderBy: (post, { desc }) => [desc(post.createdAt), desc(post.id)],
              limit: PAGE_SIZE,
            }),
          canonical: (posts) => fromDrizzle(posts as Parameters<typeof fromDrizzle>[0]),
        },
      ],
    )
    return await use([get, graph])
  } finally {
    for (const made of clients) made.close()
    await libsqlLocal.stop()
  }
}

export function printFigures(figures: readonly OperationFigures[], options: ReplayOptions): void {
  console.log(
    `Warm CPU per operation, driver answers replayed (no I/O): median (interquartile range) of ${options.rounds} ` +
      `rounds after ${options.warmupRounds} warm-up (operations per turn: get ${options.perTurn.get}, graph ` +
      `${options.perTurn.graph}); contenders interleaved; ratios paired per round. wall: the main thread's ` +
      "time; CPU: the process's CPU time, which leaves out time spent waiting for a core on a busy machine.",
  )
  const ratio = (r: Summary) => `${r.median.toFixed(2)}x (${r.p25.toFixed(2)}-${r.p75.toFixed(2)})`
  for (const figure of figures) {
    console.log(
      `\n${figure.database}, ${figure.operation}  [process CPU / wall while timed: ${figure.cpuPerWall.toFixed(2)}]`,
    )
    const base = figure.contenders[0]?.name
    console.log(
      `  ${"contender".padEnd(30)} req  ${"wall µs/op".padEnd(24)} ${`vs ${base}`.padEnd(20)} ${"CPU µs/op".padEnd(24)} vs ${base}`,
    )
    for (const c of figure.contenders) {
      console.log(
        `  ${c.name.padEnd(30)} ${String(c.requests).padStart(3)}  ${formatSummary(c.micros).padEnd(24)} ` +
          `${ratio(c.ratio).padEnd(20)} ${formatSummary(c.cpuMicros).padEnd(24)} ${ratio(c.cpuRatio)}`,
      )
    }
  }
}

/**
 * Both databases' operations recorded (against local stand-ins, on a scratch database and a temporary
 * file) and checked, handed to `use` while the replaying fetch is in place; everything is stopped after.
 */
export async function withRecordedOperations<T>(use: UseOperations<T>): Promise<T> {
  const original = globalThis.fetch
  const replay = new ReplayFetch(original)
  globalThis.fetch = replay.fetch
  try {
    return await withNeonOperations(replay, (neonOperations) =>
      withLibsqlOperations(replay, (libsqlOperations) => use([...neonOperations, ...libsqlOperations])),
    )
  } finally {
    globalThis.fetch = original
  }
}

/** Both databases: each operation recorded, checked and timed; the figures are also returned. */
export async function runEngineOverhead(options: ReplayOptions): Promise<OperationFigures[]> {
  return withRecordedOperations(async (operations) => {
    const figures: OperationFigures[] = []
    for (const operation of operations) figures.push(await timeOperation(operation, options))
    return figures
  })
}

if (isMain("engine-overhead")) {
  const options: ReplayOptions = {
    rounds: Number(process.env.ROUNDS ?? 60),
    warmupRounds: Number(process.env.WARMUP_ROUNDS ?? 10),
    perTurn: {
      get: Number(process.env.GET_PER_TURN ?? 200),
      graph: Number(process.env.GRAPH_PER_TURN ?? 20),
    },
  }
  printFigures(await runEngineOverhead(options), options)
}
