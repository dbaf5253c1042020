// Issue 13, item 4 (library side): a connection failure after a commit was sent is an
// UnknownOutcomeError, which the Hono error handler answers with a 503 that does not say "retry";
// failures known to come before anything was sent, and failures of reads or of statements inside a
// transaction (which the database rolls back), stay plain ConnectionErrors.
import { createServer } from "node:net"
import { Hono } from "hono"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { errorHandler } from "../../src/hono.ts"
import { ConnectionError, createEngine, text, UnknownOutcomeError } from "../../src/index.ts"
import { libsql } from "../../src/libsql.ts"
import { neon } from "../../src/neon.ts"
import { FAULTED_TRANSPORTS, type FaultRig, startFaultRig } from "./fault-rig.ts"

let rig: FaultRig
beforeAll(async () => {
  rig = await startFaultRig()
})
afterAll(() => rig?.stop())

let n = 0
const kindOf = (error: unknown) =>
  error instanceof UnknownOutcomeError
    ? "unknown"
    : error instanceof ConnectionError
      ? "connection"
      : String(error)

describe("which failures leave a commit's outcome unknown", () => {
  for (const transport of FAULTED_TRANSPORTS) {
    it(`${transport}: an autocommitted write whose answer is lost; a read; a statement inside a transaction`, async () => {
      const scope = `outcome-${transport}-${++n}`
      const engine = rig.engine(transport, scope)
      const proxy = rig.proxyOf(transport)
      const table = `outcome_${n}`
      await engine.execute(text(`CREATE TABLE ${table} (x integer)`))
      // The websocket transport connects first on each new connection: the startup message, then the
      // cleartext password neon-local asks for (two round trips).
      const connectFirst = transport === "neon-websocket" ? 2 : 0
      const failures: string[] = []
      for (const [statement, inTransaction] of [
        [`INSERT INTO ${table} VALUES (1)`, false],
        [`SELECT x FROM ${table}`, false],
        [`INSERT INTO ${table} VALUES (2)`, true],
      ] as const) {
        await using connection = engine.connect()
        if (inTransaction) await connection.begin()
        proxy.arm("cut", { scope, after: inTransaction ? 0 : connectFirst })
        failures.push(kindOf(await connection.execute(text(statement)).catch((error: unknown) => error)))
      }
      expect(failures).toEqual(["unknown", "connection", "connection"])
      // The lost write was applied; the one inside the lost transaction was not.
      const rows = await rig.inspect(transport).execute(text(`SELECT x FROM ${table}`))
      expect(rows.all().map(([x]) => Number(x))).toEqual([1])
    })
  }

  it("a refused connection is a plain ConnectionError: nothing was sent", async () => {
    const port = await closedPort()
    const engines = [
      createEngine("postgresql://u:p@127.0.0.1/db", {
        driver: neon({ fetchEndpoint: `http://127.0.0.1:${port}/sql` }),
      }),
      createEngine(`http://127.0.0.1:${port}/`, { driver: libsql() }),
    ]
    for (const engine of engines) {
      const error = await engine.execute(text("CREATE TABLE t (x integer)")).catch((e: unknown) => e)
      expect(kindOf(error)).toBe("connection")
    }
  })

  it("a request fetch refuses to make (a blocked port, a URL that does not parse) is a plain ConnectionError", async () => {
    const engines = [
      // fetch refuses port 1 as a "bad port"; Neon's driver derives https://api.0.0.1/sql from an IP host.
      createEngine("postgresql://u:p@127.0.0.1/db", {
        driver: neon({ fetchEndpoint: "http://127.0.0.1:1/sql" }),
      }),
      createEngine("postgresql://u:p@127.0.0.1/db", { driver: neon() }),
      createEngine("http://127.0.0.1:1/", { driver: libsql() }),
    ]
    for (const engine of engines) {
      const error = await engine.execute(text("CREATE TABLE t (x integer)")).catch((e: unknown) => e)
      expect(kindOf(error)).toBe("connection")
    }
  })
})

describe("the Hono error handler and an unknown outcome", () => {
  it("answers 503 outcome_unknown, never 'retry shortly'", async () => {
    const app = new Hono()
    app.post("/x", () => {
      throw new UnknownOutcomeError("lost", { cause: new Error("socket closed") })
    })
    app.onError(errorHandler({ log: () => {} }))
    const response = await app.request("/x", { method: "POST" })
    const body = (await response.json()) as { error: { code: string; message: string } }
    expect([response.status, body.error.code]).toEqual([503, "outcome_unknown"])
    expect(body.error.message).toMatch(/may have been applied/)
    expect(body.error.message).not.toMatch(/retry shortly/i)
  })
})

/** A local port nothing listens on. */
function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer()
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })
}
