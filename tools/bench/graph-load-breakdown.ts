// `npx tsx tools/bench/graph-load-breakdown.ts` (`npm run bench:graph-breakdown`): where the wall time of
// the local 20-post graph load goes (./graph-load.ts's contenders), split three ways:
// - client CPU: this process's CPU time per load (building, the driver's parsing, hydrating; the
//   endpoint and the database run in another process, ./latency/servers.ts, so they are not in it);
// - database: each statement the load sends, run straight against the database with nothing between
//   (PostgreSQL: EXPLAIN ANALYZE's planning + execution time; SQLite: the native `libsql` package on the
//   endpoint's own file), summed over the load's statements;
// - the rest: wall minus both: the HTTP request, the endpoint's own work (parsing, one round trip to
//   the database per statement plus BEGIN and COMMIT for a batch, encoding the answer), and waiting.
// Loads take turns (./support/stats.ts), LOADS_PER_TURN=5 loads a turn, ROUNDS=30 after WARMUP_ROUNDS=5;
// `--statements` prints each statement with its time against the database.
import { createClient as createLibsqlClient } from "@libsql/client/web"
import { neonConfig, neon as rawNeon } from "@neondatabase/serverless"
import { drizzle as drizzleLibsql } from "drizzle-orm/libsql"
import { drizzle as drizzleNeon } from "drizzle-orm/neon-http"
import Database from "libsql"
import pg from "pg"
import { createEngine, type Engine } from "../../src/index.ts"
import { libsql } from "../../src/libsql.ts"
import { neon } from "../../src/neon.ts"
import { pgSchema, sqliteSchema } from "./graph-load-drizzle-schema.ts"
import { handLibsql, handNeon, PG_STATEMENTS, SQLITE_STATEMENTS } from "./graph-load-hand.ts"
import { drizzleWith, edgealchemyGraph, seed } from "./graph-load-loads.ts"
import { PAGE_SIZE } from "./graph-load-models.ts"
import { startServers } from "./latency/start-servers.ts"
import { BenchmarkError } from "./support/benchmark-error.ts"
import { withOwnParsers } from "./support/drizzle-neon-parsers.ts"
import { isMain } from "./support/main.ts"
import { withScratchDatabase } from "./support/scratch-database.ts"
import { interleave, median, type TimedContender } from "./support/stats.ts"

interface Statement {
  readonly sql: string
  readonly params: readonly unknown[]
}

interface Contender extends TimedContender {
  /** The statements one load sends, as captured from the contender's last load. */
  readonly statements: () => readonly Statement[]
}

export interface BreakdownRow {
  readonly name: string
  readonly statements: number
  /** Each statement's SQL with its median time straight against the database. */
  readonly statementTimes: readonly { readonly sql: string; readonly ms: number }[]
  readonly wall: number
  readonly clientCpu: number
  readonly database: number
}

export interface BreakdownOptions {
  readonly rounds: number
  readonly warmupRounds: number
  readonly perTurn: number
  /** Runs of each statement straight against the database, for its median time. */
  readonly statementRuns: number
}

/** A capture of the statements of the current load, reset at the start of each. */
function capture() {
  let last: Statement[] = []
  let current: Statement[] = []
  return {
    start: () => {
      current = []
    },
    add: (sql: string, params: readonly unknown[]) => current.push({ sql, params }),
    finish: () => {
      last = current
    },
    last: () => last,
  }
}

function contender(name: string, load: (log: ReturnType<typeof capture>) => Promise<unknown>): Contender {
  const log = capture()
  return {
    name,
    run: async () => {
      log.start()
      await load(log)
      log.finish()
    },
    statements: () => log.last(),
  }
}

function edgealchemyContender(engine: Engine): Contender {
  let log: ReturnType<typeof capture> | undefined
  engine.on("statement", (event) => log?.add(event.sql, event.params))
  return contender("edgealchemy", (l) => {
    log = l
    return edgealchemyGraph(engine)
  })
}

async function measure(contenders: readonly Contender[], options: BreakdownOptions) {
  for (const c of contenders) await c.run()
  const { times, cpu } = await interleave(contenders, options)
  return contenders.map((c, i) => ({
    name: c.name,
    statements: c.statements(),
    wall: median(times[i] as number[]),
    clientCpu: median(cpu[i] as number[]),
  }))
}

async function postgresTime(url: string, statement: Statement, runs: number): Promise<number> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    const samples: number[] = []
    for (let run = 0; run < runs; run++) {
      const result = await client.query(`EXPLAIN (ANALYZE, FORMAT JSON) ${statement.sql}`, [
        ...statement.params,
      ])
      const [plan] = result.rows[0]["QUERY PLAN"] as { "Planning Time": number; "Execution Time": number }[]
      if (!plan) throw new BenchmarkError(`no plan for ${statement.sql}`)
      samples.push(plan["Planning Time"] + plan["Execution Time"])
    }
    return median(samples)
  } finally {
    await client.end()
  }
}

function sqliteTime(file: string, statement: Statement, runs: number): number {
  const database = new Database(file, { readonly: true })
  try {
    const prepared = database.prepare(statement.sql)
    const params = statement.params.map((p) => (typeof p === "boolean" ? Number(p) : p))
    const samples: number[] = []
    for (let run = 0; run < runs; run++) {
      const started = performance.now()
      prepared.all(...params)
      samples.push(performance.now() - started)
    }
    return median(samples)
  } finally {
    database.close()
  }
}

function rows(
  measured: Awaited<ReturnType<typeof measure>>,
  databaseTime: (statement: Statement) => number,
): BreakdownRow[] {
  return measured.map((m) => ({
    name: m.name,
    statements: m.statements.length,
    statementTimes: m.statements.map((statement) => ({ sql: statement.sql, ms: databaseTime(statement) })),
    wall: m.wall,
    clientCpu: m.clientCpu,
    database: m.statements.reduce((sum, statement) => sum + databaseTime(statement), 0),
  }))
}

export async function runBreakdown(
  options: BreakdownOptions,
): Promise<{ neon: BreakdownRow[]; libsql: BreakdownRow[] }> {
  const { servers, stop } = await startServers(0, ["bench"])
  try {
    const neonRows = await withScratchDatabase(async (url) => {
      const endpoint = `${servers.neon.direct}/s/bench/sql`
      await seed(createEngine(url, { driver: neon({ fetchEndpoint: endpoint }) }))
      neonConfig.fetchEndpoint = endpoint
      const handSql = rawNeon(url, { arrayMode: true })
      const drizzleLog = capture()
      const drizzle = withOwnParsers(() =>
        drizzleNeon({
          client: rawNeon(url),
          schema: pgSchema,
          logger: { logQuery: (sql, params) => drizzleLog.add(sql, params) },
        }),
      )
      const engine = createEngine(url, { driver: neon({ fetchEndpoint: endpoint }) })
      const measured = await measure(
        [
          edgealchemyContender(engine),
          contender("hand-written", (log) => {
            for (const sql of PG_STATEMENTS) log.add(sql, [PAGE_SIZE])
            return handNeon(handSql, { sent: 0, received: 0 })
          }),
          {
            ...contender("drizzle", async () => {
              drizzleLog.start()
              await drizzle.value.query.posts.findMany({
                with: drizzleWith,
                orderBy: (post, { desc }) => [desc(post.createdAt), desc(post.id)],
                limit: PAGE_SIZE,
              })
              drizzleLog.finish()
            }),
            statements: () => drizzleLog.last(),
            enter: drizzle.enter,
            leave: drizzle.leave,
          },
        ],
        options,
      )
      const times = new Map<string, number>()
      for (const m of measured) {
        for (const statement of m.statements) {
          const key = JSON.stringify(statement)
          if (!times.has(key)) times.set(key, await postgresTime(url, statement, options.statementRuns))
        }
      }
      return rows(measured, (statement) => times.get(JSON.stringify(statement)) as number)
    })
    const endpoint = `${servers.libsql.direct.bench}/s/bench/`
    await seed(createEngine(endpoint, { driver: libsql() }))
    const handClient = createLibsqlClient({ url: endpoint })
    const drizzleLog = capture()
    const drizzleDb = drizzleLibsql({
      client: createLibsqlClient({ url: endpoint }),
      schema: sqliteSchema,
      logger: { logQuery: (sql, params) => drizzleLog.add(sql, params) },
    })
    try {
      const measured = await measure(
        [
          edgealchemyContender(createEngine(endpoint, { driver: libsql() })),
          contender("hand-written", (log) => {
            for (const sql of SQLITE_STATEMENTS) log.add(sql, [PAGE_SIZE])
            return handLibsql(handClient, { sent: 0, received: 0 })
          }),
          {
            ...contender("drizzle", async () => {
              drizzleLog.start()
              await drizzleDb.query.posts.findMany({
                with: drizzleWith,
                orderBy: (post, { desc }) => [desc(post.createdAt), desc(post.id)],
                limit: PAGE_SIZE,
              })
              drizzleLog.finish()
            }),
            statements: () => drizzleLog.last(),
          },
        ],
        options,
      )
      const file = servers.libsql.files.bench as string
      return { neon: neonRows, libsql: rows(measured, (s) => sqliteTime(file, s, options.statementRuns)) }
    } finally {
      handClient.close()
      drizzleDb.$client.close()
    }
  } finally {
    await stop()
  }
}

export function printBreakdown(name: string, rows: readonly BreakdownRow[], showStatements: boolean): void {
  const ms = (n: number) => n.toFixed(3).padStart(9)
  console.log(`\n${name}: per load, medians`)
  console.log(
    "contender      statements   wall ms  client CPU ms  database ms  rest ms (HTTP, endpoint, waits)",
  )
  for (const row of rows) {
    console.log(
      `${row.name.padEnd(14)} ${String(row.statements).padStart(10)} ${ms(row.wall)}  ${ms(row.clientCpu).padStart(13)}  ${ms(row.database).padStart(11)}  ${ms(row.wall - row.clientCpu - row.database)}`,
    )
  }
  if (!showStatements) return
  for (const row of rows) {
    console.log(`${row.name}'s statements, median ms straight against the database:`)
    for (const { sql, ms: time } of row.statementTimes)
      console.log(`  ${time.toFixed(3).padStart(7)}  ${sql.slice(0, 400)}`)
  }
}

if (isMain("graph-load-breakdown")) {
  const options: BreakdownOptions = {
    rounds: Number(process.env.ROUNDS ?? 30),
    warmupRounds: Number(process.env.WARMUP_ROUNDS ?? 5),
    perTurn: Number(process.env.LOADS_PER_TURN ?? 5),
    statementRuns: Number(process.env.STATEMENT_RUNS ?? 30),
  }
  console.log(
    `graph load of ${PAGE_SIZE} posts, the endpoints and databases in another process; ${options.rounds} rounds of ` +
      `${options.perTurn} loads after ${options.warmupRounds} warm-up, contenders taking turns`,
  )
  const { neon: neonRows, libsql: libsqlRows } = await runBreakdown(options)
  const showStatements = process.argv.includes("--statements")
  printBreakdown(
    "Neon HTTP (neon-local, PostgreSQL; database: EXPLAIN ANALYZE planning + execution)",
    neonRows,
    showStatements,
  )
  printBreakdown(
    "libSQL HTTP (libsql-local; database: the native libsql package on the same file)",
    libsqlRows,
    showStatements,
  )
}
