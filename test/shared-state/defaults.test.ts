// A column's client-side default that is an object (a Json `[]` or `{}`) is module-level state: the
// flush must give each row its own copy, or one request's object changes another request's rows.
import { describe, expect, it } from "vitest"
import ws from "ws"
import { AsyncSession, column, Integer, Json, listen, model, Registry, select } from "../../src/index.ts"
import { libsqlHttpFixture, neonFixture, type TransportFixture } from "../engine/transports.ts"
import { freshSchema } from "../orm/fresh-schema.ts"

const registry = new Registry()
class AsDoc extends model(
  "as4_docs",
  {
    id: column(Integer, { primaryKey: true }),
    labels: column(Json<string[]>(), { default: [] }),
    prefs: column(Json<Record<string, string>>(), { default: {} }),
  },
  { registry },
) {}
registry.registerModels(AsDoc)

const fixtures: TransportFixture[] = [neonFixture("http", ws), libsqlHttpFixture()]
const stamp = Date.now().toString(36)

for (const fixture of fixtures) {
  describe(`object defaults on ${fixture.name}`, () => {
    const engine = fixture.engine(`as-defaults-${fixture.name}-${stamp}`)
    freshSchema(engine, registry.metadata)

    it("one request's changes to a defaulted Json value never reach another request's row", async () => {
      // Request A (user A) creates a document and edits its defaulted values in memory.
      {
        await using a = new AsyncSession(engine)
        const doc = new AsDoc({ id: 1 })
        a.add(doc)
        await a.commit()
        doc.labels.push("secret-of-user-A")
        doc.prefs.email = "a@example.com"
      }
      // Request B (user B) creates its own document, giving no values.
      {
        await using b = new AsyncSession(engine)
        const doc = new AsDoc({ id: 2 })
        b.add(doc)
        await b.commit()
        expect(doc.labels).toEqual([])
        expect(doc.prefs).toEqual({})
      }
      await using r = new AsyncSession(engine)
      const row = (await r.scalars(select(AsDoc).where(AsDoc.id.eq(2)))).one()
      expect(row.labels).toEqual([])
      expect(row.prefs).toEqual({})
    })

    it("gives each new object its own copy of an object default, which a listener may change", async () => {
      const stop = listen(AsDoc, "beforeInsert", (doc) => {
        if (doc.id === 3) doc.labels.push("only-3")
      })
      try {
        await using s = new AsyncSession(engine)
        s.addAll([new AsDoc({ id: 3 }), new AsDoc({ id: 4 })])
        await s.commit()
      } finally {
        stop()
      }
      await using r = new AsyncSession(engine)
      const rows = (
        await r.scalars(
          select(AsDoc)
            .where(AsDoc.id.in([3, 4]))
            .orderBy(AsDoc.id),
        )
      ).all()
      expect(rows.map((doc) => doc.labels)).toEqual([["only-3"], []])
    })
  })
}
