// A Worker for ./workerd-client-reuse.test.ts: one engine per isolate over libSQL HTTP, as the blog
// worker keeps one, whose driver counts the clients it makes. Each request opens a connection on a
// child engine, runs `SELECT n` (twice, a pause between, with `?hold=ms`; in a transaction with
// `?tx=1`), and answers what it read, the round trips its child heard and the clients made so far.
import { type Config, createClient } from "@libsql/client/web"
import { sqlite } from "../../src/dialects/sqlite/dialect.ts"
import { libsqlDriver } from "../../src/drivers/libsql/driver.ts"
import { type Engine, withDialect } from "../../src/engine/engine.ts"
import { createEngine, text } from "../../src/index.ts"

interface Env {
  URL: string
  TOKEN: string
}

let made = 0
let engine: Engine | undefined

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const counting = (config: Config) => {
      made++
      return createClient(config)
    }
    engine ??= createEngine(env.URL, {
      driver: withDialect(
        libsqlDriver(counting, "http", { authToken: env.TOKEN, requestTimeoutMs: 10_000 }),
        sqlite,
      ),
    })
    const query = new URL(request.url).searchParams
    const n = Number(query.get("n"))
    const child = engine.child()
    const trips: string[] = []
    child.on("roundTrip", (trip) => trips.push(`${trip.kind}:${trip.statements.map((s) => s.sql).join(";")}`))
    const connection = child.connect()
    try {
      const read = async () => (await connection.execute(text(`SELECT ${n} AS n`))).scalar()
      if (query.get("tx")) await connection.begin()
      const values = [await read()]
      const hold = Number(query.get("hold") ?? 0)
      if (hold) {
        await new Promise((resolve) => setTimeout(resolve, hold))
        values.push(await read())
      }
      if (query.get("tx")) await connection.commit()
      return Response.json({ values: values.map(Number), trips, made })
    } catch (error) {
      return Response.json({ error: String(error), stack: (error as Error).stack, made }, { status: 500 })
    } finally {
      await connection.close()
    }
  },
}
