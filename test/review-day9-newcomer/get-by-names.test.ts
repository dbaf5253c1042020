// session.get(User, { id: 5 }), as SQLAlchemy's get() takes a dict of the key's attribute names, failed
// with a DataError about the value ("An integer value cannot hold a Object"), and with a composite key
// said "found by 2 key value(s); get() was given 1". get() now takes such an object on both sessions,
// for one-column and composite keys, in any order of names; as in SQLAlchemy, names that are not the
// key's are ignored, and a key name missing is refused, naming the key, before anything is sent.
import { describe, expect, it } from "vitest"
import ws from "ws"
import {
  AsyncSession,
  column,
  Integer,
  InvalidRequestError,
  inspect,
  model,
  ReadSession,
  Registry,
  String,
  text,
} from "../../src/index.ts"
import { libsqlHttpFixture, neonFixture } from "../engine/transports.ts"
import { freshSchema } from "../orm/fresh-schema.ts"

const registry = new Registry()
class Member extends model(
  "r9nc_get_members",
  { id: column(Integer, { primaryKey: true }), name: column(String(20)) },
  { registry },
) {}
class Seat extends model(
  "r9nc_get_seats",
  {
    row: column(Integer, { primaryKey: true }),
    letter: column(String(1), { primaryKey: true }),
    holder: column(String(20)),
  },
  { registry },
) {}

for (const fixture of [neonFixture("http", ws), libsqlHttpFixture()]) {
  describe(`get() by the key's names on ${fixture.name}`, () => {
    const scope = `r9nc-get-${fixture.name}-${Date.now().toString(36)}`
    const engine = fixture.engine(scope)
    freshSchema(engine, registry.metadata)
    const requests = async () => (await fixture.stats(scope))?.httpRequests ?? 0

    it("finds by one-column and composite keys named in an object, as by their values", async () => {
      await using writer = new AsyncSession(engine)
      writer.add(new Member({ id: 5, name: "ada" }))
      writer.add(new Seat({ row: 3, letter: "b", holder: "cy" }))
      await writer.commit()

      for (const session of [new ReadSession(engine), new AsyncSession(engine)]) {
        await using _ = session
        const before = await requests()
        const ada = await session.get(Member, { id: 5 })
        expect(ada?.name).toBe("ada")
        const seat = await session.get(Seat, { letter: "b", row: 3 })
        expect(seat?.holder).toBe("cy")
        expect(await requests()).toBe(before + 2)
        // The same objects, from the identity map, however the key is given: nothing more is sent.
        expect(await session.get(Member, 5)).toBe(ada)
        expect(await session.get(Seat, [3, "b"])).toBe(seat)
        expect(await session.get(Seat, { row: 3, letter: "b" })).toBe(seat)
        // Other names are ignored, as SQLAlchemy's get() ignores them.
        expect(await session.get(Member, { id: 5, name: "someone else" })).toBe(ada)
        // A key value left out (a request field missing) finds nothing, as get(Member, undefined) does.
        expect(await session.get(Member, { id: undefined })).toBeNull()
        expect(await requests()).toBe(before + 2)
        expect(await session.get(Member, { id: 6 })).toBeNull()
      }
    })

    it("lets an expired object whose row is gone go as deleted, found by names as by values", async () => {
      await using session = new AsyncSession(engine, { expireOnCommit: true })
      const seat = new Seat({ row: 9, letter: "z", holder: "gone" })
      session.add(seat)
      await session.commit()
      await engine.execute(text("DELETE FROM r9nc_get_seats WHERE row = 9"))
      expect(await session.get(Seat, { row: 9, letter: "z" })).toBeNull()
      expect(inspect(seat).state).toBe("detached")
    })

    it("refuses an object that does not name the key, saying what it is, before anything is sent", async () => {
      for (const session of [new ReadSession(engine), new AsyncSession(engine)]) {
        await using _ = session
        const before = await requests()
        await expect(session.get(Member, { ID: 5 })).rejects.toThrow(
          "Member is found by id (1 value(s)); get() was given ID",
        )
        await expect(session.get(Seat, { row: 3 })).rejects.toThrow(
          "Seat is found by row,letter (2 value(s)); get() was given row",
        )
        await expect(session.get(Seat, [3])).rejects.toThrow(
          "Seat is found by row,letter (2 value(s)); get() was given 1",
        )
        await expect(session.get(Seat, {})).rejects.toBeInstanceOf(InvalidRequestError)
        expect(await requests()).toBe(before)
      }
    })
  })
}
