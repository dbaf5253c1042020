// `npm run bench:get-anatomy`: where `session.get`'s CPU goes beyond the raw driver's, layer by layer,
// over replayed driver answers (no I/O), as ./engine-overhead.ts measures it. Contenders, per database:
//
// - raw driver: one SELECT by key on a client kept for the run, its row made a post (the baseline; the
//   same get as bench:cpu's and bench:workerd's, ./get-contenders/contenders.ts);
// - by hand, no driver: the same get as one fetch written against the wire protocol and its JSON read
//   (./get-contenders/by-hand.ts): the floor, which shows how much of the raw driver's cost is its own;
// - raw driver, client per call: the same with a new client each call (as edgealchemy's libSQL
//   connection makes one; its Neon connections share the driver's query function);
// - transport: edgealchemy's transport alone sending the session's SQL (the driver plus its fetch hook,
//   in-flight tracking and abort signal), opened and closed per call;
// - session alone, stub transport: `session.get` over a transport that answers from memory with what the
//   real one returned: edgealchemy's own code and nothing else;
// - raw driver, then session over stub: both of the above, one after the other, in one operation;
// - edgealchemy: `session.get` as users run it.
//
// The last two differ only by how the same work is arranged; "raw driver, then session over stub"
// against "raw driver" shows what edgealchemy's code costs when it runs between the driver's work (its
// code and data no longer warm in the CPU's caches), against what it costs alone.
// Knobs: ROUNDS (default 60), WARMUP_ROUNDS (10), PER_TURN (200).
import { createClient as createLibsqlClient } from "@libsql/client/web"
import { neonConfig, neon as rawNeon } from "@neondatabase/serverless"
import type { Query, QueryResult, Transport } from "../../src/drivers/transport.ts"
import { createEngine, type Engine } from "../../src/index.ts"
import { libsql } from "../../src/libsql.ts"
import { neon } from "../../src/neon.ts"
import { startLibsqlLocal } from "../libsql-local/index.ts"
import { startNeonLocal } from "../neon-local/index.ts"
import { libsqlByHand, neonByHand } from "./get-contenders/by-hand.ts"
import { getPost, libsqlRawGet, neonRawGet, type PlainPost } from "./get-contenders/contenders.ts"
import { seed } from "./graph-load-loads.ts"
import { BenchmarkError } from "./support/benchmark-error.ts"
import { isMain } from "./support/main.ts"
import { ReplayFetch, Tape } from "./support/replay-fetch.ts"
import { PG_URL, withScratchDatabase } from "./support/scratch-database.ts"
import { formatSummary, interleave, type Summary, summarize } from "./support/stats.ts"

export interface AnatomyOptions {
  readonly rounds: number
  readonly warmupRounds: number
  readonly perTurn: number
}

export interface LayerFigures {
  readonly name: string
  /** HTTP requests one operation sends (answered from the recording while timed). */
  readonly requests: number
  readonly cpuMicros: Summary
  /** Paired per-round ratios of process CPU time to the raw driver's. */
  readonly cpuRatio: Summary
}

export interface AnatomyFigures {
  readonly database: "Neon HTTP" | "libSQL HTTP"
  readonly layers: readonly LayerFigures[]
}

interface Layer {
  readonly name: string
  readonly run: () => Promise<unknown>
}

/**
 * An engine like `engine` whose transport answers every request with `answer`, at once: the session's
 * work with no driver under it.
 */
function stubEngine(engine: Engine, answer: QueryResult): Engine {
  const transport: Transport = {
    capabilities: Object.freeze({
      interactiveTransactions: false,
      batch: true,
      savepoints: false,
      returning: true,
      readOnlyTransactions: false,
    }),
    inTransaction: false,
    execute: async () => answer,
    batch: async (queries) => queries.map(() => answer),
    begin: async () => undefined,
    commit: async () => undefined,
    rollback: async () => undefined,
    close: async () => undefined,
  }
  return createEngine(engine.url, { driver: { ...engine.driver, open: () => transport } })
}

/** The query `session.get` sends and the transport's answer to it, caught once through the real transport. */
async function sessionQuery(engine: Engine): Promise<{ query: Query; answer: QueryResult }> {
  let caught: { query: Query; answer: QueryResult } | undefined
  const spying = createEngine(engine.url, {
    driver: {
      ...engine.driver,
      open: (url, roundTrips): Transport => {
        const transport = engine.driver.open(url, roundTrips)
        return {
          get capabilities() {
            return transport.capabilities
          },
          get inTransaction() {
            return transport.inTransaction
          },
          execute: (one) => transport.execute(one),
          batch: async (queries, options) => {
            const answers = await transport.batch(queries, options)
            caught = { query: queries[0] as Query, answer: answers[0] as QueryResult }
            return answers
          },
          begin: (options) => transport.begin(options),
          commit: () => transport.commit(),
          rollback: () => transport.rollback(),
          close: () => transport.close(),
        }
      },
    },
  })
  await getPost(spying)
  if (!caught) throw new BenchmarkError("session.get sent no batch to catch")
  return caught
}

/**
 * The layers of one database, given its raw calls; the session's query and answer are caught first, and
 * the raw driver, the session over the stub and the session itself are checked to read the same post.
 */
async function layersOf(
  engine: Engine,
  raw: {
    readonly reused: () => Promise<PlainPost>
    readonly perCall: () => Promise<PlainPost>
    readonly byHand: () => Promise<PlainPost>
  },
): Promise<Layer[]> {
  const { query, answer } = await sessionQuery(engine)
  const stub = stubEngine(engine, answer)
  const reads = {
    "raw driver": await raw.reused(),
    "raw driver, client per call": await raw.perCall(),
    "by hand, no driver": await raw.byHand(),
    "session over the stub": await getPost(stub),
    edgealchemy: await getPost(engine),
  }
  const expected = JSON.stringify(reads["raw driver"])
  for (const [name, read] of Object.entries(reads)) {
    if (JSON.stringify(read) !== expected)
      throw new BenchmarkError(`${name} read ${JSON.stringify(read)}, the raw driver ${expected}`)
  }
  return [
    { name: "raw driver", run: raw.reused },
    { name: "by hand, no driver", run: raw.byHand },
    { name: "raw driver, client per call", run: raw.perCall },
    {
      name: "transport",
      run: async () => {
        const transport = engine.driver.open(engine.url, engine)
        try {
          return await transport.batch([query])
        } finally {
          await transport.close()
        }
      },
    },
    { name: "session alone, stub transport", run: () => getPost(stub) },
    {
      name: "raw driver, then session over stub",
      run: async () => {
        await raw.reused()
        return getPost(stub)
      },
    },
    { name: "edgealchemy", run: () => getPost(engine) },
  ]
}

/** Records each layer's requests once, then times the layers interleaved over their recordings. */
async function timeLayers(
  database: AnatomyFigures["database"],
  replay: ReplayFetch,
  layers: readonly Layer[],
  options: AnatomyOptions,
): Promise<AnatomyFigures> {
  const tapes = layers.map((layer) => new Tape(`${database}: ${layer.name}`))
  for (const [i, layer] of layers.entries()) {
    replay.record(tapes[i] as Tape)
    await layer.run()
    replay.off()
    replay.replay(tapes[i] as Tape, { verify: true })
    await layer.run()
    replay.off()
  }
  const { cpu, cpuRatios } = await interleave(
    layers.map((layer, i) => ({
      name: layer.name,
      run: layer.run,
      enter: () => replay.replay(tapes[i] as Tape),
      leave: () => replay.off(),
    })),
    options,
  )
  return {
    database,
    layers: layers.map((layer, i) => ({
      name: layer.name,
      requests: (tapes[i] as Tape).length,
      cpuMicros: summarize((cpu[i] as number[]).map((ms) => ms * 1000)),
      cpuRatio: summarize(cpuRatios[i] as number[]),
    })),
  }
}

async function neonAnatomy(replay: ReplayFetch, options: AnatomyOptions): Promise<AnatomyFigures> {
  // The raw driver's endpoint and fetch are process-wide: set for the run, put back after.
  const saved = { endpoint: neonConfig.fetchEndpoint, fetch: neonConfig.fetchFunction }
  const neonLocal = await startNeonLocal({ upstream: PG_URL, port: 0 })
  try {
    return await withScratchDatabase(async (url) => {
      await seed(createEngine(url, { driver: neon({ fetchEndpoint: neonLocal.fetchEndpoint("setup") }) }))
      neonConfig.fetchEndpoint = neonLocal.fetchEndpoint("raw")
      neonConfig.fetchFunction = replay.fetch
      const engine = createEngine(url, {
        driver: neon({ fetchEndpoint: neonLocal.fetchEndpoint("edgealchemy") }),
      })
      const sql = rawNeon(url)
      const layers = await layersOf(engine, {
        reused: () => neonRawGet(sql),
        perCall: () => neonRawGet(rawNeon(url)),
        byHand: () => neonByHand(neonLocal.fetchEndpoint("by-hand"), url),
      })
      return await timeLayers("Neon HTTP", replay, layers, options)
    })
  } finally {
    neonConfig.fetchEndpoint = saved.endpoint
    neonConfig.fetchFunction = saved.fetch
    await neonLocal.stop()
  }
}

async function libsqlAnatomy(replay: ReplayFetch, options: AnatomyOptions): Promise<AnatomyFigures> {
  const libsqlLocal = await startLibsqlLocal({ port: 0 })
  const at = (scope: string) => `${libsqlLocal.url}/s/${scope}/`
  const reused = createLibsqlClient({ url: at("raw"), fetch: replay.fetch })
  try {
    await seed(createEngine(at("setup"), { driver: libsql() }))
    const engine = createEngine(at("edgealchemy"), { driver: libsql() })
    const layers = await layersOf(engine, {
      reused: () => libsqlRawGet(reused),
      // Not closed: closing an idle HTTP client only builds an error (edgealchemy's transport skips it too).
      perCall: () => libsqlRawGet(createLibsqlClient({ url: at("raw"), fetch: replay.fetch })),
      byHand: () => libsqlByHand(`${at("by-hand")}v2/pipeline`),
    })
    return await timeLayers("libSQL HTTP", replay, layers, options)
  } finally {
    reused.close()
    await libsqlLocal.stop()
  }
}

/** Both databases' layers, recorded against the local stand-ins and timed over the recordings. */
export async function runGetAnatomy(options: AnatomyOptions): Promise<AnatomyFigures[]> {
  const original = globalThis.fetch
  const replay = new ReplayFetch(original)
  globalThis.fetch = replay.fetch
  try {
    return [await neonAnatomy(replay, options), await libsqlAnatomy(replay, options)]
  } finally {
    globalThis.fetch = original
  }
}

export function printAnatomy(figures: readonly AnatomyFigures[], options: AnatomyOptions): void {
  console.log(
    `session.get by layer: process CPU per operation, median (interquartile range) of ${options.rounds} rounds ` +
      `after ${options.warmupRounds} warm-up, ${options.perTurn} operations a turn, layers interleaved; ratios ` +
      "to the raw driver paired per round. Driver answers replayed: no I/O.",
  )
  for (const figure of figures) {
    console.log(`\n${figure.database}`)
    console.log(`  ${"layer".padEnd(36)} req  ${"CPU µs/op".padEnd(22)} vs raw driver`)
    for (const layer of figure.layers) {
      const { median, p25, p75 } = layer.cpuRatio
      console.log(
        `  ${layer.name.padEnd(36)} ${String(layer.requests).padStart(3)}  ${formatSummary(layer.cpuMicros).padEnd(22)} ` +
          `${median.toFixed(2)}x (${p25.toFixed(2)}-${p75.toFixed(2)})`,
      )
    }
  }
}

if (isMain("get-anatomy")) {
  const options: AnatomyOptions = {
    rounds: Number(process.env.ROUNDS ?? 60),
    warmupRounds: Number(process.env.WARMUP_ROUNDS ?? 10),
    perTurn: Number(process.env.PER_TURN ?? 200),
  }
  printAnatomy(await runGetAnatomy(options), options)
}
