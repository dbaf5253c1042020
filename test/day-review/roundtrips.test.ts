// Round-trip events per request: each event names its own request's statements.
import { describe, expect, it } from "vitest"
import ws from "ws"
import { type RoundTrip, text } from "../../src/index.ts"
import { libsqlHttpFixture, neonFixture, type TransportFixture } from "../engine/transports.ts"

const fixtures: TransportFixture[] = [
  neonFixture("http", ws),
  neonFixture("websocket", ws),
  libsqlHttpFixture(),
]
const stamp = Date.now().toString(36)

for (const fixture of fixtures) {
  describe(`review round trips on ${fixture.name}`, () => {
    const engine = fixture.engine(`rv-rt-${fixture.name}-${stamp}`)

    it("a new connection's first statement is reported with its statement, once, as an execute", async () => {
      const events: RoundTrip[] = []
      const stop = engine.on("roundTrip", (e) => events.push(e))
      try {
        await using conn = engine.connect()
        await conn.execute(text("SELECT 1 AS first"))
        await conn.execute(text("SELECT 2 AS second"))
      } finally {
        stop()
      }
      const carrying = events.filter((e) => e.statements.length > 0)
      expect(carrying.map((e) => [e.kind, e.statements.map((q) => q.sql).join("; ")])).toEqual([
        ["execute", "SELECT 1 AS first"],
        ["execute", "SELECT 2 AS second"],
      ])
    })

    it("a transaction's round trips name begin, its statements and commit", async () => {
      const events: RoundTrip[] = []
      await using conn = engine.connect()
      await conn.execute(text("SELECT 0 AS warm"))
      const stop = engine.on("roundTrip", (e) => events.push(e))
      try {
        await conn.begin()
        await conn.execute(text("SELECT 1 AS inside"))
        await conn.execute(text("SELECT 2 AS inside_too"))
        await conn.commit()
      } finally {
        stop()
      }
      const statements = events.flatMap((e) => e.statements.map((q) => q.sql))
      expect(statements).toEqual(expect.arrayContaining(["SELECT 1 AS inside", "SELECT 2 AS inside_too"]))
      for (const e of events)
        if (e.statements.some((q) => q.sql.includes("inside"))) expect(e.kind).toBe("execute")
      expect(events.map((e) => e.kind)).toContain("commit")
    })
  })
}
