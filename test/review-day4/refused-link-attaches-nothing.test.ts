// Assigning detached objects into a save-update relationship of an object in a session attaches them
// (a0c1aea), so their links are written. The attach ran as each object was accepted, before the
// validators of the objects after it (or, for one object, the other side's validator) had their say: an
// assignment a validator refused, which must leave both sides as they were, had already attached the
// objects accepted before, and the next commit wrote what those detached objects carried (a title the
// application changed while they were detached, and never added). Objects are attached once every one
// is accepted, before any is stored.
import { describe, expect, it } from "vitest"
import ws from "ws"
import {
  AsyncSession,
  column,
  Integer,
  insert,
  inspect,
  model,
  Registry,
  relationship,
  String,
  select,
  selectinload,
  validates,
} from "../../src/index.ts"
import { libsqlHttpFixture, neonFixture } from "../engine/transports.ts"
import { freshSchema } from "../orm/fresh-schema.ts"

const registry = new Registry()
class Penman extends model(
  "rv4_val_penmen",
  {
    id: column(Integer, { primaryKey: true }),
    name: column(String(40)),
    books: relationship<Opus[]>("Opus", { backPopulates: "penman" }),
  },
  { registry },
) {}
class Opus extends model(
  "rv4_val_opera",
  {
    id: column(Integer, { primaryKey: true }),
    title: column(String(40)),
    penmanId: column(Integer, { nullable: true, foreignKey: "rv4_val_penmen.id" }),
    penman: relationship<Penman | null>("Penman", { backPopulates: "books" }),
  },
  { registry },
) {}
registry.registerModels(Penman, Opus)

const noSpam = () =>
  validates(Penman, ["books"], (_key, book) => {
    if (book.title.endsWith("spam")) throw new Error("no spam books")
    return book
  })

for (const fixture of [neonFixture("http", ws), libsqlHttpFixture()]) {
  describe(`a refused assignment of detached objects on ${fixture.name}`, () => {
    const engine = fixture.engine(`rv4-val-${fixture.name}-${Date.now().toString(36)}`)
    freshSchema(engine, registry.metadata)
    let next = 0

    /** An author in a new session with its books loaded, and two detached books: one fine, one refused. */
    async function setUp() {
      const [a, b1, b2] = [++next, ++next, ++next]
      await engine.execute(insert(Penman).values([{ id: a, name: `p${a}` }]))
      await engine.execute(
        insert(Opus).values([
          { id: b1, title: `ok-${b1}` },
          { id: b2, title: `bad-${b2}-spam` },
        ]),
      )
      let kept: Opus
      let refused: Opus
      {
        await using earlier = new AsyncSession(engine)
        kept = (await earlier.get(Opus, b1)) as Opus
        refused = (await earlier.get(Opus, b2)) as Opus
      }
      // Changed while detached: written only if the application adds it (or links it) to a session.
      kept.title = `changed-${b1}`
      const session = new AsyncSession(engine)
      const author = (await session.scalar(
        select(Penman).where(Penman.c.id.eq(a)).options(selectinload(Penman.books)),
      )) as Penman
      return { session, author, kept, refused, b1 }
    }

    const titleOf = async (id: number) =>
      (await engine.execute(select(Opus.c.title).where(Opus.c.id.eq(id)))).rows[0]?.[0]

    it("by assignment of the list: the accepted one stays detached, and the commit writes nothing of it", async () => {
      const { session, author, kept, refused, b1 } = await setUp()
      const stop = noSpam()
      try {
        expect(() => {
          author.books = [kept, refused]
        }).toThrow("no spam books")
      } finally {
        stop()
      }
      // Was: persistent, and the commit wrote its changed title.
      expect([inspect(kept).state, author.books.length]).toEqual(["detached", 0])
      await session.commit()
      expect(await titleOf(b1)).toBe(`ok-${b1}`)
      await session.close()
    })

    it("by push(): the same", async () => {
      const { session, author, kept, refused, b1 } = await setUp()
      const stop = noSpam()
      try {
        expect(() => author.books.push(kept, refused)).toThrow("no spam books")
      } finally {
        stop()
      }
      expect([inspect(kept).state, author.books.length]).toEqual(["detached", 0])
      await session.commit()
      expect(await titleOf(b1)).toBe(`ok-${b1}`)
      await session.close()
    })

    it("an accepted assignment still attaches the detached book and writes its link", async () => {
      const { session, author, kept, b1 } = await setUp()
      author.books.push(kept)
      expect(inspect(kept).state).toBe("persistent")
      await session.commit()
      const row = await engine.execute(select(Opus.c.title, Opus.c.penmanId).where(Opus.c.id.eq(b1)))
      expect(row.rows).toEqual([[`changed-${b1}`, author.id]])
      await session.close()
    })
  })
}
