// errorHandler() answers a failure after the request's work was applied 500 `applied` ("check before
// sending it again"), and one before with what the failure says (503 `unavailable`, Retry-After: a
// retry is safe). dbSession() marked a request as applied on the session's afterCommit, which also fires
// for a commit that wrote nothing: commit() with nothing to flush, or of a transaction that only read.
// Such a request, whose read then lost its connection, was told "applied, do not retry" though nothing
// was written. And a write sent outside a transaction (session.execute() of an INSERT, which commits on
// its own) fired no afterCommit: its request's later failure said "retry shortly", and the retry wrote
// the row twice. Now the request is marked by what its engine wrote and committed.
import { Hono } from "hono"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import {
  dbReadSession,
  dbSession,
  errorHandler,
  type ReadSessionVariables,
  type SessionVariables,
} from "../../src/hono.ts"
import { text } from "../../src/index.ts"
import { type FaultRig, NOTHING_OPEN, startFaultRig } from "../reliability/fault-rig.ts"

type Env = { Variables: SessionVariables }
type ReadEnv = { Variables: ReadSessionVariables }

describe("errorHandler(): applied means written", () => {
  let rig: FaultRig
  beforeAll(async () => {
    rig = await startFaultRig()
  }, 60_000)
  afterAll(() => rig?.stop())

  for (const transport of ["neon-http", "libsql-http"] as const) {
    it(`${transport}: a commit that wrote nothing still lets the client retry; a write in autocommit does not`, async () => {
      const scope = `h8-marks-${transport}`
      const engine = rig.engine(transport, scope)
      const table = `h8_marks_${transport.replace("-", "_")}`
      await engine.execute(text(`CREATE TABLE IF NOT EXISTS ${table} (x integer PRIMARY KEY)`))
      await engine.execute(text(`DELETE FROM ${table}`))
      const app = new Hono<Env>()
      app.use(dbSession<Env>({ engine: () => engine }))
      app.onError(errorHandler({ log: () => undefined }))
      app.post("/:x", async (c) => {
        const s = c.var.session
        const x = Number(c.req.param("x"))
        const then = c.req.query("then")
        if (then === "empty") await s.commit()
        if (then === "read-transaction") {
          await s.begin()
          await s.execute(text(`SELECT x FROM ${table}`))
          await s.commit()
        }
        if (then === "autocommit") await s.execute(text(`INSERT INTO ${table} (x) VALUES (${x})`))
        if (then === "transaction") {
          await s.begin()
          await s.execute(text(`INSERT INTO ${table} (x) VALUES (${x})`))
          await s.commit()
        }
        if (then === "rolled-back") {
          await s.begin()
          await s.execute(text(`INSERT INTO ${table} (x) VALUES (${x})`))
          await s.rollback()
          await s.commit()
        }
        rig.proxyOf(transport).arm("fail", { scope })
        await s.execute(text(`SELECT x FROM ${table}`))
        return c.json({}, 201)
      })
      const answer = async (path: string) => {
        const r = await app.request(path, { method: "POST" })
        const body = (await r.json()) as { error: { code: string } }
        return [r.status, body.error.code, r.headers.get("retry-after")]
      }
      // Nothing written: a retry is safe, and said (before: 500 applied for both).
      expect(await answer("/1?then=empty")).toEqual([503, "unavailable", "1"])
      expect(await answer("/2?then=read-transaction")).toEqual([503, "unavailable", "1"])
      expect(await answer("/3?then=rolled-back")).toEqual([503, "unavailable", "1"])
      // Written and committed: the client must not send it again (before: 503, retry; for autocommit).
      expect(await answer("/4?then=autocommit")).toEqual([500, "applied", null])
      expect(await answer("/5?then=transaction")).toEqual([500, "applied", null])
      const stored = (await engine.execute(text(`SELECT x FROM ${table} ORDER BY x`))).all()
      expect(stored.map(([x]) => Number(x))).toEqual([4, 5])
      expect(await rig.settled()).toEqual(NOTHING_OPEN)
    })
  }

  it("dbReadSession(): raw SQL that writes in autocommit marks its request applied too", async () => {
    const scope = "h8-marks-read"
    const engine = rig.engine("libsql-http", scope)
    await engine.execute(text("CREATE TABLE IF NOT EXISTS h8_marks_read (x integer PRIMARY KEY)"))
    const app = new Hono<ReadEnv>()
    app.use(dbReadSession<ReadEnv>({ engine: () => engine }))
    app.onError(errorHandler({ log: () => undefined }))
    app.post("/:x", async (c) => {
      const s = c.var.session
      if (c.req.query("write"))
        await s.execute(text(`INSERT INTO h8_marks_read (x) VALUES (${c.req.param("x")})`))
      else await s.execute(text("SELECT x FROM h8_marks_read WHERE x = 'insert'"))
      rig.proxyOf("libsql-http").arm("fail", { scope })
      await s.execute(text("SELECT x FROM h8_marks_read"))
      return c.json({}, 201)
    })
    const codes = async (path: string) => {
      const r = await app.request(path, { method: "POST" })
      return [r.status, ((await r.json()) as { error: { code: string } }).error.code]
    }
    expect(await codes("/1")).toEqual([503, "unavailable"])
    expect(await codes("/2?write=1")).toEqual([500, "applied"])
  })
})
