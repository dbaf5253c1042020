// Round-trip events of one connection used by concurrent calls (Promise.all of two reads of one
// session): each event must name the statements its own request carried.
import { describe, expect, it } from "vitest"
import ws from "ws"
import { ReadSession, type RoundTrip, text } from "../../src/index.ts"
import { libsqlHttpFixture, neonFixture, type TransportFixture } from "../engine/transports.ts"

const fixtures: TransportFixture[] = [neonFixture("http", ws), libsqlHttpFixture()]
const stamp = Date.now().toString(36)

for (const fixture of fixtures) {
  describe(`round trips on ${fixture.name}`, () => {
    const engine = fixture.engine(`as-rt-${fixture.name}-${stamp}`)

    it("concurrent reads of one session each report their own statements", async () => {
      const events: RoundTrip[] = []
      const stop = engine.on("roundTrip", (e) => events.push(e))
      try {
        await using s = new ReadSession(engine)
        await s.execute(text("SELECT 0 AS zero")) // opens the connection
        events.length = 0
        await Promise.all([
          s.execute(text("SELECT 1 AS first")),
          s.execute(text("SELECT 2 AS second")),
          s.execute(text("SELECT 3 AS third")),
        ])
        const reported = events.map((e) => e.statements.map((q) => q.sql).join("; ")).sort()
        expect(reported).toEqual(["SELECT 1 AS first", "SELECT 2 AS second", "SELECT 3 AS third"])
      } finally {
        stop()
      }
    })
  })
}
