// A stored object's column set to undefined (`post.title = body.title`, the field missing from a
// request body). The UPDATE left it out, as undefined means "not given", and the flush failed with
// "UPDATE of ... has no values; call .values({...})", a Core message about a call the application never
// made; beside another change, that one was written and the undefined one kept, so every later commit
// of the session failed. Now the flush refuses it naming the attribute and the fix, writing nothing,
// and commits once the application assigns a value or null.
import { describe, expect, it } from "vitest"
import ws from "ws"
import { AsyncSession, column, Integer, inspect, model, Registry, String, select } from "../../src/index.ts"
import { libsqlHttpFixture, neonFixture } from "../engine/transports.ts"
import { freshSchema } from "./fresh-schema.ts"

const registry = new Registry()
class Memo extends model(
  "ua_memos",
  {
    id: column(Integer, { primaryKey: true }),
    title: column(String(40)),
    priority: column(Integer, { nullable: true }),
  },
  { registry },
) {}
registry.registerModels(Memo)

for (const fixture of [neonFixture("http", ws), libsqlHttpFixture()]) {
  describe(`a column set to undefined on ${fixture.name}`, () => {
    const engine = fixture.engine(`undefined-assigned-${fixture.name}-${Date.now().toString(36)}`)
    freshSchema(engine, registry.metadata)

    it("is refused by the flush, naming the attribute; nothing is written until it is given a value or null", async () => {
      let id: number
      {
        await using session = new AsyncSession(engine)
        const memo = new Memo({ title: "first", priority: 1 })
        session.add(memo)
        await session.commit()
        id = memo.id
      }
      await using session = new AsyncSession(engine)
      const memo = (await session.get(Memo, id)) as Memo
      const body: Record<string, unknown> = { priority: 2 }
      memo.title = body.title as string
      memo.priority = body.priority as number
      await expect(session.commit()).rejects.toThrow(
        /Memo\.title was set to undefined: assign null to store NULL, or a value/,
      )
      expect(inspect(memo).modified).toEqual(["title", "priority"])
      await using reader = new AsyncSession(engine)
      const stored = async () =>
        (await reader.execute(select(Memo.title, Memo.priority).where(Memo.id.eq(id)))).all()
      expect(await stored()).toEqual([["first", 1]])
      memo.title = "second"
      memo.priority = null
      await session.commit()
      expect(await stored()).toEqual([["second", null]])
    })
  })
}
