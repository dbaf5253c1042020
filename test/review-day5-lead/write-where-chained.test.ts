// aa8e859 refuses an UPDATE or DELETE whose where() kept no condition that restricts it (each one
// undefined): sent, it would reach every row. It checked each where() call alone, so a statement whose
// filters are added over several calls, one of them conditional, was refused although it restricts:
// `deleteFrom(Note).where(Note.owner.eq(me)).where(tag ? Note.tag.eq(tag) : undefined)`, or the same
// calls the other way round. The refusal now looks at all the calls together, when the statement is
// compiled (and before a session autoflushes for it): a statement with only undefined filters is still
// refused, having sent nothing.
import { describe, expect, it } from "vitest"
import ws from "ws"
import {
  AsyncSession,
  column,
  deleteFrom,
  Integer,
  InvalidRequestError,
  model,
  Registry,
  String,
  select,
  update,
} from "../../src/index.ts"
import { libsqlHttpFixture, neonFixture } from "../engine/transports.ts"
import { freshSchema } from "../orm/fresh-schema.ts"

const registry = new Registry()
class Note extends model(
  "r5l_ww_notes",
  {
    id: column(Integer, { primaryKey: true }),
    owner: column(String(20)),
    tag: column(String(20), { nullable: true }),
    body: column(String(40)),
  },
  { registry },
) {}
registry.registerModels(Note)

const noTag = (): string | undefined => undefined

for (const fixture of [neonFixture("http", ws), neonFixture("websocket", ws), libsqlHttpFixture()]) {
  describe(`UPDATE/DELETE filters added over several where() calls on ${fixture.name}`, () => {
    const engine = fixture.engine(`r5l-ww-${fixture.name}-${Date.now().toString(36)}`)
    freshSchema(engine, registry.metadata)

    const seed = async () => {
      await using session = new AsyncSession(engine)
      await session.execute(deleteFrom(Note))
      session.add(new Note({ owner: "me", tag: "a", body: "mine" }))
      session.add(new Note({ owner: "other", tag: "a", body: "theirs" }))
      await session.commit()
    }
    const bodies = async () => {
      await using session = new AsyncSession(engine)
      return (await session.scalars(select(Note).orderBy(Note.id))).all().map((n) => n.body)
    }

    it("deletes only the restricted rows when the undefined filter comes after the restricting one", async () => {
      await seed()
      await using session = new AsyncSession(engine)
      const tag = noTag()
      const result = await session.execute(
        deleteFrom(Note)
          .where(Note.owner.eq("me"))
          .where(tag === undefined ? undefined : Note.tag.eq(tag)),
      )
      await session.commit()
      expect(result.rowsAffected).toBe(1)
      expect(await bodies()).toEqual(["theirs"])
    })

    it("deletes only the restricted rows when the undefined filter comes first", async () => {
      await seed()
      await using session = new AsyncSession(engine)
      const tag = noTag()
      await session.execute(
        deleteFrom(Note)
          .where(tag === undefined ? undefined : Note.tag.eq(tag))
          .where(Note.owner.eq("me")),
      )
      await session.commit()
      expect(await bodies()).toEqual(["theirs"])
    })

    it("updates only the restricted rows, whichever call holds the undefined filter", async () => {
      await seed()
      await using session = new AsyncSession(engine)
      const tag = noTag()
      await session.execute(
        update(Note)
          .values({ body: "edited" })
          .where(tag === undefined ? undefined : Note.tag.eq(tag))
          .where(Note.owner.eq("me"))
          .where(undefined),
      )
      await session.commit()
      expect(await bodies()).toEqual(["edited", "theirs"])
    })

    it("still refuses a DELETE whose every where() call was undefined, before anything is sent", async () => {
      await seed()
      const sent: string[] = []
      const stop = engine.on("statement", (event) => sent.push(event.sql))
      try {
        await using session = new AsyncSession(engine)
        session.add(new Note({ owner: "pending", body: "unflushed" }))
        const tag = noTag()
        const statement = deleteFrom(Note)
          .where(tag === undefined ? undefined : Note.tag.eq(tag))
          .where(undefined)
        await expect(session.execute(statement)).rejects.toThrow(InvalidRequestError)
        await expect(session.execute(statement)).rejects.toThrow(/would delete every row/)
        // Nothing went out: not the DELETE, not the autoflush of the pending note.
        expect(sent).toEqual([])
      } finally {
        stop()
      }
      expect(await bodies()).toEqual(["mine", "theirs"])
    })
  })
}
