// A session holding objects of models from two registries writes them all: the flush ordered tables
// by the first object's registry only, and objects of the other stayed pending, with no row and no error.
import { describe, expect, it } from "vitest"
import ws from "ws"
import { AsyncSession, column, Integer, inspect, model, Registry, select, Text } from "../../src/index.ts"
import { libsqlHttpFixture, neonFixture, type TransportFixture } from "../engine/transports.ts"
import { freshSchema } from "../orm/fresh-schema.ts"

const first = new Registry()
class RmUser extends model(
  "rm_users",
  { id: column(Integer, { primaryKey: true }), name: column(Text) },
  { registry: first },
) {}
const second = new Registry()
class RmNote extends model(
  "rm_notes",
  { id: column(Integer, { primaryKey: true }), note: column(Text) },
  { registry: second },
) {}

const fixtures: TransportFixture[] = [neonFixture("http", ws), libsqlHttpFixture()]

for (const fixture of fixtures) {
  describe(`two registries in one session on ${fixture.name}`, () => {
    const engine = fixture.engine(`rm-${fixture.name}-${Date.now().toString(36)}`)
    freshSchema(engine, first.metadata)
    freshSchema(engine, second.metadata)

    it("writes the objects of every registry a commit holds", async () => {
      await using s = new AsyncSession(engine)
      const user = new RmUser({ name: "first registry" })
      const note = new RmNote({ note: "second registry" })
      s.addAll([user, note])
      await s.commit()
      expect([inspect(user).state, inspect(note).state]).toEqual(["persistent", "persistent"])
      await using r = new AsyncSession(engine)
      expect((await r.scalars(select(RmNote))).all().map((n) => n.note)).toEqual(["second registry"])
      expect((await r.scalars(select(RmUser))).all().map((u) => u.name)).toEqual(["first registry"])
    })
  })
}
