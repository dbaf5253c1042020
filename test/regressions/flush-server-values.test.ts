// A flush gives its objects the values the row got beyond the ones they carried: a client-side
// `onUpdate` the UPDATE adds, and a `serverDefault` the database fills in; on Neon HTTP and libSQL
// embedded.
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import ws from "ws"
import { AsyncSession, column, Integer, model, Registry, String } from "../../src/index.ts"
import { libsqlEmbedded } from "../../src/libsql-node.ts"
import { libsqlEmbeddedFixture, neonFixture, type TransportFixture } from "../engine/transports.ts"
import { freshSchema } from "../orm/fresh-schema.ts"
import { scratchDir } from "../setup/scratch.ts"

const registry = new Registry()
let touches = 1000

class Stamp extends model(
  "r_stamps",
  {
    id: column(Integer, { primaryKey: true }),
    label: column(String(20)),
    touched: column(Integer, { default: 0, onUpdate: () => ++touches }),
    flag: column(String(10), { serverDefault: "srv" }),
  },
  { registry },
) {}
registry.registerModels(Stamp)

const fixtures: TransportFixture[] = [
  neonFixture("http", ws),
  libsqlEmbeddedFixture(libsqlEmbedded(), join(scratchDir("ea-stamps"), "r.db")),
]

for (const fixture of fixtures) {
  describe(`values a flush did not carry, on ${fixture.name}`, () => {
    const engine = fixture.engine(`stamps-${fixture.name}-${Date.now().toString(36)}`)
    freshSchema(engine, registry.metadata)

    it("come back onto the object: a server default on INSERT, an onUpdate on UPDATE", async () => {
      await using session = new AsyncSession(engine)
      const stamp = new Stamp({ label: "new" })
      session.add(stamp)
      await session.commit()
      expect([stamp.flag, stamp.touched]).toEqual(["srv", 0])
      stamp.label = "changed"
      await session.commit()
      expect(stamp.touched).toBeGreaterThan(1000)
      expect(session.isModified(stamp)).toBe(false)
      await using reader = new AsyncSession(engine)
      expect((await reader.get(Stamp, stamp.id))?.touched).toBe(stamp.touched)
    })
  })
}
