// `npm run bench`: the blog's operations written with edgealchemy (./latency/blog-edgealchemy.ts, the
// worker's own models, queries and serializers) and with Drizzle 0.45 (./latency/blog-drizzle-*.ts),
// over the same drivers (Neon HTTP, libSQL HTTP), with each database made far away by a proxy that
// delays every request (./latency/delay-proxy.ts). Printed per operation: requests (counted by the
// proxy, the same code for both contenders), statements (counted by the endpoint), p50 and p90 wall
// time, and the ratio of the p50s. Both contenders' answers are compared every round; the run stops
// at the first difference.
//   BENCH_DELAY_MS=50   delay per request in ms (50 ms: a Worker and a database in different regions;
//                       0: both on one machine, where the ORM's CPU and the statement count show)
//   BENCH_ROUNDS=20     measured rounds; BENCH_WARMUP_ROUNDS=2 rounds run first and not kept
// The endpoints and databases run in a child process (./latency/servers.ts), off the contenders' thread.
import { createClient as createLibsqlClient } from "@libsql/client/web"
import { neonConfig, neon as rawNeon } from "@neondatabase/serverless"
import { drizzle as drizzleLibsql } from "drizzle-orm/libsql"
import { drizzle as drizzleNeon } from "drizzle-orm/neon-http"
import { createEngine } from "../../src/index.ts"
import { libsql } from "../../src/libsql.ts"
import { neon } from "../../src/neon.ts"
import { drizzleLibsqlBlog } from "./latency/blog-drizzle-libsql.ts"
import { drizzleNeonBlog } from "./latency/blog-drizzle-neon.ts"
import { pgBlogSchema, sqliteBlogSchema } from "./latency/blog-drizzle-schema.ts"
import { edgealchemyBlog } from "./latency/blog-edgealchemy.ts"
import { seedBlog } from "./latency/blog-seed.ts"
import { type Counters, type OperationRow, printRows, type RunOptions, runScript } from "./latency/runner.ts"
import type { Servers } from "./latency/servers.ts"
import { startServers } from "./latency/start-servers.ts"
import { BenchmarkError } from "./support/benchmark-error.ts"
import { withOwnParsers } from "./support/drizzle-neon-parsers.ts"
import { isMain } from "./support/main.ts"
import { withScratchDatabase } from "./support/scratch-database.ts"

export interface LatencyOptions extends RunOptions {
  readonly delayMs: number
}

export interface LatencyFigures {
  readonly neon: OperationRow[]
  readonly libsql: OperationRow[]
}

const SCOPES = ["edgealchemy", "drizzle"] as const

async function json<T>(url: string): Promise<T> {
  const response = await fetch(url)
  if (!response.ok) throw new BenchmarkError(`GET ${url} answered ${response.status}`)
  return (await response.json()) as T
}

function counters(proxy: string, statsBase: (scope: string) => string): Counters {
  return {
    requests: async (scope) => (await json<Record<string, number>>(`${proxy}/__proxy/stats`))[scope] ?? 0,
    statements: async (scope) =>
      (await json<{ statements: number }>(`${statsBase(scope)}/s/${scope}/__stats`)).statements,
  }
}

async function benchNeon(servers: Servers, options: LatencyOptions): Promise<OperationRow[]> {
  return withScratchDatabase((edgealchemyUrl) =>
    withScratchDatabase(async (drizzleUrl) => {
      const direct = (scope: string) => `${servers.neon.direct}/s/${scope}/sql`
      const delayed = (scope: string) => `${servers.neon.delayed}/s/${scope}/sql`
      await seedBlog(createEngine(edgealchemyUrl, { driver: neon({ fetchEndpoint: direct("setup") }) }))
      await seedBlog(createEngine(drizzleUrl, { driver: neon({ fetchEndpoint: direct("setup") }) }))
      // The raw driver's endpoint is process-wide, and Drizzle's alone uses it (edgealchemy's engine sets
      // its own around each request).
      neonConfig.fetchEndpoint = delayed("drizzle")
      const drizzle = withOwnParsers(() => drizzleNeon({ client: rawNeon(drizzleUrl), schema: pgBlogSchema }))
      const engine = createEngine(edgealchemyUrl, { driver: neon({ fetchEndpoint: delayed("edgealchemy") }) })
      return runScript(
        [
          { name: "edgealchemy", scope: "edgealchemy", operations: edgealchemyBlog(engine) },
          {
            name: "drizzle",
            scope: "drizzle",
            operations: drizzleNeonBlog(drizzle.value),
            enter: drizzle.enter,
            leave: drizzle.leave,
          },
        ],
        counters(servers.neon.delayed, () => servers.neon.direct),
        options,
      )
    }),
  )
}

async function benchLibsql(servers: Servers, options: LatencyOptions): Promise<OperationRow[]> {
  const direct = (scope: (typeof SCOPES)[number]) => servers.libsql.direct[scope] as string
  await seedBlog(createEngine(`${direct("edgealchemy")}/s/setup/`, { driver: libsql() }))
  await seedBlog(createEngine(`${direct("drizzle")}/s/setup/`, { driver: libsql() }))
  const engine = createEngine(`${servers.libsql.delayed}/s/edgealchemy/`, { driver: libsql() })
  const client = createLibsqlClient({ url: `${servers.libsql.delayed}/s/drizzle/` })
  try {
    return await runScript(
      [
        { name: "edgealchemy", scope: "edgealchemy", operations: edgealchemyBlog(engine) },
        {
          name: "drizzle",
          scope: "drizzle",
          operations: drizzleLibsqlBlog(drizzleLibsql({ client, schema: sqliteBlogSchema })),
        },
      ],
      counters(servers.libsql.delayed, (scope) => direct(scope as (typeof SCOPES)[number])),
      options,
    )
  } finally {
    client.close()
  }
}

export async function runLatency(options: LatencyOptions): Promise<LatencyFigures> {
  const { servers, stop } = await startServers(options.delayMs, SCOPES)
  try {
    return { neon: await benchNeon(servers, options), libsql: await benchLibsql(servers, options) }
  } finally {
    await stop()
  }
}

export function printLatency(figures: LatencyFigures, options: LatencyOptions): void {
  const how = `${options.rounds} rounds after ${options.warmupRounds} warm-up, contenders taking turns`
  console.log(
    `The blog's operations, every request delayed ${options.delayMs} ms by a proxy; ${how}. ` +
      "req: requests the proxy forwarded; stmts: statements the endpoint ran.",
  )
  printRows(`Neon HTTP (neon-local, PostgreSQL), ${options.delayMs} ms away`, figures.neon, [
    "Drizzle on Neon HTTP has no transactions (db.transaction throws); its multi-request writes use db.batch where",
    "statements are independent and are not atomic as a whole. edgealchemy's writes are one atomic request each.",
  ])
  printRows(`libSQL HTTP (libsql-local, SQLite file), ${options.delayMs} ms away`, figures.libsql, [
    "Drizzle on libSQL runs writes in db.transaction: interactive over HTTP, a request per statement plus COMMIT.",
    "libSQL statement counts include the BEGIN and COMMIT (and a batch's ROLLBACK guard) that the client adds.",
  ])
  console.log(
    "\nBoth contenders gave the same answers (ids, titles, tags, counts, authors, comments) in every round.",
  )
}

if (isMain("latency")) {
  const options: LatencyOptions = {
    delayMs: Number(process.env.BENCH_DELAY_MS ?? 50),
    rounds: Number(process.env.BENCH_ROUNDS ?? 20),
    warmupRounds: Number(process.env.BENCH_WARMUP_ROUNDS ?? 2),
  }
  printLatency(await runLatency(options), options)
}
