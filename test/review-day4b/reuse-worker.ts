// A Worker for ./workerd-client-reuse.test.ts: one engine per isolate over libSQL HTTP, as the blog
// worker keeps one. Each request opens a connection on a child engine, runs `SELECT n` (twice, a pause
// between, with `?hold=ms`; in a transaction with `?tx=1`), and answers what it read and the round
// trips its child heard.
import type { Engine } from "../../src/engine/engine.ts"
import { text } from "../../src/index.ts"
import { createEngine } from "../../src/libsql.ts"

interface Env {
  URL: string
  TOKEN: string
}

let engine: Engine | undefined

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    engine ??= createEngine(env.URL, { authToken: env.TOKEN, requestTimeoutMs: 10_000 })
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
      return Response.json({ values: values.map(Number), trips })
    } catch (error) {
      return Response.json({ error: String(error), stack: (error as Error).stack }, { status: 500 })
    } finally {
      await connection.close()
    }
  },
}
