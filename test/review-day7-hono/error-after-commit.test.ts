// A request that committed and then failed: before the fix, errorHandler() answered by the failure
// alone. A read after the commit that lost its connection was 503 "retry shortly" with Retry-After, a
// second commit's duplicate 409 "already exists": the client that retries, or changes the name and sends
// again, writes the first commit's rows twice. Now such an answer says the change was (partly) saved:
// 500 `applied`, logged, and no Retry-After. An app's own HttpError keeps its answer.
import { Hono } from "hono"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { dbSession, errorHandler, HttpError, type SessionVariables } from "../../src/hono.ts"
import { text } from "../../src/index.ts"
import { type FaultRig, NOTHING_OPEN, startFaultRig } from "../reliability/fault-rig.ts"

type Env = { Variables: SessionVariables }

describe("errorHandler() after this request committed", () => {
  let rig: FaultRig
  beforeAll(async () => {
    rig = await startFaultRig()
  }, 60_000)
  afterAll(() => rig?.stop())

  for (const transport of ["neon-http", "libsql-http"] as const) {
    it(`${transport}: a failure after a commit never says retry; before a commit it still does`, async () => {
      const scope = `h7-after-${transport}`
      const engine = rig.engine(transport, scope)
      const table = `h7_after_${transport.replace("-", "_")}`
      await engine.execute(text(`CREATE TABLE IF NOT EXISTS ${table} (x integer PRIMARY KEY)`))
      await engine.execute(text(`DELETE FROM ${table}`))
      const logged: string[] = []
      const app = new Hono<Env>()
      app.use(dbSession<Env>({ engine: () => engine }))
      app.onError(errorHandler({ log: (message) => logged.push(message) }))
      app.post("/:x", async (c) => {
        const s = c.var.session
        const x = Number(c.req.param("x"))
        if (c.req.query("then") !== "before") {
          await s.execute(text(`INSERT INTO ${table} (x) VALUES (${x})`))
          await s.commit()
        }
        if (c.req.query("then") === "duplicate") {
          await s.execute(text(`INSERT INTO ${table} (x) VALUES (${x})`))
          await s.commit()
        }
        if (c.req.query("then") === "refuse") throw new HttpError(403, "forbidden", "not yours")
        rig.proxyOf(transport).arm("fail", { scope })
        await s.execute(text(`SELECT x FROM ${table}`))
        return c.json({}, 201)
      })
      const answer = async (path: string) => {
        const r = await app.request(path, { method: "POST" })
        const body = (await r.json()) as { error: { code: string } }
        return [r.status, body.error.code, r.headers.get("retry-after")]
      }
      // Nothing committed yet: a retry is safe, and said.
      expect(await answer("/1?then=before")).toEqual([503, "unavailable", "1"])
      // Committed, then the read's connection failed.
      expect(await answer("/2?then=read")).toEqual([500, "applied", null])
      // Committed, then a second commit failed on a duplicate (of its own first row).
      expect(await answer("/3?then=duplicate")).toEqual([500, "applied", null])
      // The app's own answer after a commit is its choice.
      expect(await answer("/4?then=refuse")).toEqual([403, "forbidden", null])
      const stored = (await engine.execute(text(`SELECT x FROM ${table} ORDER BY x`))).all()
      expect(stored.map(([x]) => Number(x))).toEqual([2, 3, 4])
      expect(logged).toHaveLength(3)
      expect(logged[1]).toMatch(/^POST \/2 failed: ConnectionError: /)
      expect(logged[2]).toMatch(/^POST \/3 failed: IntegrityError: /)
      expect(await rig.settled()).toEqual(NOTHING_OPEN)
    })
  }
})
