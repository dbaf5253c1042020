// The contenders' answers, recorded once against the local endpoints (neon-local in front of a scratch
// PostgreSQL database, libsql-local), both seeded with the graph-load benchmark's data; what each
// contender read comes along, so the runners can check that their replays read the same.
import { neonConfig } from "@neondatabase/serverless"
import { createEngine } from "../../../src/index.ts"
import { libsql } from "../../../src/libsql.ts"
import { neon } from "../../../src/neon.ts"
import { startLibsqlLocal } from "../../libsql-local/index.ts"
import { startNeonLocal } from "../../neon-local/index.ts"
import { seed } from "../graph-load-loads.ts"
import { PG_URL, withScratchDatabase } from "../support/scratch-database.ts"
import { contenders, type Endpoints } from "./contenders.ts"
import type { Answer, Tapes } from "./replay.ts"

export interface Recording {
  readonly tapes: Tapes
  /** What each contender read, as JSON. */
  readonly read: Record<string, string>
}

/** Records every contender's answers; the stand-ins and the scratch database are gone afterwards. */
export async function recordContenders(): Promise<Recording> {
  const neonLocal = await startNeonLocal({ upstream: PG_URL, port: 0 })
  const libsqlLocal = await startLibsqlLocal({ port: 0 })
  try {
    return await withScratchDatabase(async (url) => {
      const endpoints: Endpoints = {
        neonUrl: url,
        neonFetchEndpoint: neonLocal.fetchEndpoint("bench"),
        libsqlUrl: `${libsqlLocal.url}/s/bench/`,
      }
      await seed(createEngine(url, { driver: neon({ fetchEndpoint: endpoints.neonFetchEndpoint }) }))
      await seed(createEngine(endpoints.libsqlUrl, { driver: libsql() }))
      return await record(endpoints)
    })
  } finally {
    await Promise.all([neonLocal.stop(), libsqlLocal.stop()])
  }
}

/** Each contender run once through the real fetch: its answers, and what it read. */
async function record(endpoints: Endpoints): Promise<Recording> {
  const original = globalThis.fetch
  // The contenders set the raw Neon driver's process-wide endpoint and fetch: put back after.
  const saved = { endpoint: neonConfig.fetchEndpoint, fetch: neonConfig.fetchFunction }
  let tape: Answer[] = []
  globalThis.fetch = async (input, init) => {
    const response = await original(input, init)
    const answer = { status: response.status, headers: [...response.headers], body: await response.text() }
    tape.push(answer)
    return new Response(answer.body, { status: answer.status, headers: answer.headers })
  }
  const answers: Record<string, Answer[]> = {}
  const read: Record<string, string> = {}
  try {
    for (const [name, run] of Object.entries(contenders(endpoints))) {
      tape = []
      read[name] = JSON.stringify(await run())
      answers[name] = tape
    }
  } finally {
    globalThis.fetch = original
    neonConfig.fetchEndpoint = saved.endpoint
    neonConfig.fetchFunction = saved.fetch
  }
  return { tapes: { endpoints, answers }, read }
}
