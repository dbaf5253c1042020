// `npx tsx tools/bench/engine-overhead.ts`: the engine's per-query cost over the raw driver, as the
// median of many one-shot queries against the local stand-ins (Neon HTTP, libSQL HTTP). Timings vary
// by machine: compare the two columns, not the absolute numbers.
import { createClient } from "@libsql/client/web"
import { neonConfig, neon as rawNeon } from "@neondatabase/serverless"
import { column, createEngine, Integer, select, Text, table } from "../../src/index.ts"
import { libsql } from "../../src/libsql.ts"
import { neon } from "../../src/neon.ts"
import { startLibsqlLocal } from "../libsql-local/index.ts"
import { startNeonLocal } from "../neon-local/index.ts"

const RUNS = Number(process.env.RUNS ?? 400)
const pgUrl = process.env.PG_URL || "postgres://postgres@127.0.0.1:5432/postgres"

const items = table("bench_items", { id: column(Integer, { primaryKey: true }), name: column(Text) })
const query = select(items.c.id, items.c.name).where(items.c.id.eq(1))

async function median(run: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < 20; i++) await run()
  const times: number[] = []
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now()
    await run()
    times.push(performance.now() - started)
  }
  times.sort((a, b) => a - b)
  return times[Math.floor(times.length / 2)] as number
}

const neonLocal = await startNeonLocal({ upstream: pgUrl, port: 0 })
const libsqlLocal = await startLibsqlLocal({ port: 0 })
try {
  neonConfig.fetchEndpoint = neonLocal.fetchEndpoint()
  const sql = rawNeon(pgUrl, { arrayMode: true, fullResults: true })
  await sql.query("CREATE TABLE IF NOT EXISTS bench_items (id integer primary key, name text)")
  await sql.query("INSERT INTO bench_items VALUES (1, 'one') ON CONFLICT DO NOTHING")
  const compiledPg = query.compile(createEngine(pgUrl, { driver: neon() }).dialect)
  const pgEngine = createEngine(pgUrl, { driver: neon({ fetchEndpoint: neonLocal.fetchEndpoint() }) })
  const rawPg = await median(() => sql.query(compiledPg.sql, [...compiledPg.params]))
  const enginePg = await median(() => pgEngine.execute(query))

  const client = createClient({ url: libsqlLocal.url, intMode: "bigint" })
  await client.execute("CREATE TABLE IF NOT EXISTS bench_items (id integer primary key, name text)")
  await client.execute("INSERT OR IGNORE INTO bench_items VALUES (1, 'one')")
  const sqliteEngine = createEngine(libsqlLocal.url, { driver: libsql() })
  const compiledSqlite = query.compile(sqliteEngine.dialect)
  const rawSqlite = await median(() =>
    client.execute({ sql: compiledSqlite.sql, args: compiledSqlite.params as never }),
  )
  const engineSqlite = await median(() => sqliteEngine.execute(query))
  await sql.query("DROP TABLE bench_items")

  const line = (name: string, raw: number, ours: number) =>
    console.log(
      `${name.padEnd(12)} raw ${raw.toFixed(3)} ms  engine ${ours.toFixed(3)} ms  overhead ${(ours - raw).toFixed(3)} ms (${((ours / raw - 1) * 100).toFixed(1)}%)`,
    )
  console.log(`median of ${RUNS} one-shot queries (compile + connect + run + decode + close)`)
  line("Neon HTTP", rawPg, enginePg)
  line("libSQL HTTP", rawSqlite, engineSqlite)
} finally {
  await Promise.all([neonLocal.stop(), libsqlLocal.stop()])
}
