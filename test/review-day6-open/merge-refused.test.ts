// session.merge() copies a detached or foreign object's state onto the session's object for the row.
// - Validators: SQLAlchemy's merge sets each attribute through its instrumentation (ColumnProperty.merge
//   calls impl.set), so @validates runs on the values it copies; merge() wrote them into the object's
//   values directly, so a value the application's validator normalizes or refuses went in unchecked.
// - A refusal midway (a validator, a row that cannot be read) left the session holding a half-merged
//   object: the held shelf with the copy's note and a new pending item, or a new pending shelf, which
//   the session's next commit wrote. Now merge() puts back what it changed: the session's objects as they
//   were, nothing new left pending, the given objects untouched. (SQLAlchemy leaves it half-merged.)
// - As SQLAlchemy's, merge() autoflushes once before it starts and not midway: reading a related row
//   flushed the half-merged shelf into an interactive transaction, which the next commit committed.
import { describe, expect, it } from "vitest"
import ws from "ws"
import {
  AsyncSession,
  column,
  Integer,
  inspect,
  model,
  NotLoadedError,
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
class Shelf extends model(
  "r6o_mg_shelves",
  {
    id: column(Integer, { primaryKey: true }),
    label: column(String(40)),
    note: column(String(40), { nullable: true }),
    items: relationship<Item[]>("Item", { backPopulates: "shelf", cascade: "all, delete-orphan" }),
  },
  { registry },
) {}
class Item extends model(
  "r6o_mg_items",
  {
    id: column(Integer, { primaryKey: true }),
    title: column(String(40)),
    shelfId: column(Integer, { nullable: true, foreignKey: "r6o_mg_shelves.id" }),
    shelf: relationship<Shelf | null>("Shelf", { backPopulates: "items" }),
  },
  { registry },
) {}
registry.registerModels(Shelf, Item)

/** Labels are kept trimmed and lowercase; titles ending in "spam" are refused. */
function installValidators(): () => void {
  const stops = [
    validates(Shelf, ["label"], (_key, label) => label.trim().toLowerCase()),
    validates(Item, ["title"], (_key, title) => {
      if (title.endsWith("spam")) throw new Error("no spam titles")
      return title
    }),
  ]
  return () => {
    for (const stop of stops) stop()
  }
}

for (const fixture of [neonFixture("http", ws), neonFixture("websocket", ws), libsqlHttpFixture()]) {
  describe(`merge() with validators, on ${fixture.name}`, () => {
    const engine = fixture.engine(`r6o-mg-${fixture.name}-${Date.now().toString(36)}`)
    freshSchema(engine, registry.metadata)
    let nextId = 1

    /** A shelf with two items, committed; and a detached copy of it with its items loaded. */
    async function stored() {
      const id = nextId
      nextId += 10
      {
        await using session = new AsyncSession(engine)
        session.add(
          new Shelf({
            id,
            label: "main",
            items: [new Item({ id: id + 1, title: "a" }), new Item({ id: id + 2, title: "b" })],
          }),
        )
        await session.commit()
      }
      await using elsewhere = new AsyncSession(engine)
      const copy = (await elsewhere.scalar(
        select(Shelf).where(Shelf.id.eq(id)).options(selectinload(Shelf.items)),
      )) as Shelf
      elsewhere.expungeAll()
      return { id, copy }
    }

    async function rows(id: number) {
      await using reader = new AsyncSession(engine)
      const shelf = await reader.execute(select(Shelf.label, Shelf.note).where(Shelf.id.eq(id)))
      const items = await reader.execute(
        select(Item.id, Item.title, Item.shelfId)
          .where(Item.id.between(id, id + 9))
          .orderBy(Item.id),
      )
      return {
        shelf: shelf.all().map((row) => [...row]),
        items: items.all().map((row) => [...row]),
      }
    }

    it("runs the validators on the values it copies, as SQLAlchemy's merge sets attributes", async () => {
      const { id, copy } = await stored()
      copy.label = "  Renamed "
      const stop = installValidators()
      try {
        await using session = new AsyncSession(engine)
        const merged = await session.merge(copy)
        expect(merged.label).toBe("renamed")
        await session.commit()
        expect((await rows(id)).shelf).toEqual([["renamed", null]])
      } finally {
        stop()
      }
    })

    it("refused midway onto a held object: the session's objects as they were, nothing written", async () => {
      const { id, copy } = await stored()
      copy.note = "changed"
      copy.items.push(new Item({ id: id + 3, title: "c-spam" }))
      const stop = installValidators()
      try {
        await using session = new AsyncSession(engine)
        const held = (await session.scalar(
          select(Shelf).where(Shelf.id.eq(id)).options(selectinload(Shelf.items)),
        )) as Shelf
        const members = [...held.items]
        await expect(session.merge(copy)).rejects.toThrow("no spam titles")
        expect([held.note, inspect(held).modified, held.items]).toEqual([null, [], members])
        expect(members.map((item) => [item.shelf === held, inspect(item).modified])).toEqual([
          [true, []],
          [true, []],
        ])
        // The given copy is as it was.
        expect([copy.note, copy.items.map((item) => item.title), inspect(copy).state]).toEqual([
          "changed",
          ["a", "b", "c-spam"],
          "detached",
        ])
        await session.commit()
        expect(await rows(id)).toEqual({
          shelf: [["main", null]],
          items: [
            [id + 1, "a", id],
            [id + 2, "b", id],
          ],
        })
      } finally {
        stop()
      }
    })

    it("refused by a collection's validator after the columns were copied: the held shelf as it was", async () => {
      const { id, copy } = await stored()
      copy.note = "changed"
      copy.items.push(new Item({ id: id + 3, title: "c-spam" }))
      // On the collection (it ran in merge() before too): the refusal comes after the note is copied.
      const stop = validates(Shelf, ["items"], (_key, item) => {
        if (item.title.endsWith("spam")) throw new Error("no spam items")
        return item
      })
      try {
        await using session = new AsyncSession(engine)
        const held = (await session.scalar(
          select(Shelf).where(Shelf.id.eq(id)).options(selectinload(Shelf.items)),
        )) as Shelf
        const members = [...held.items]
        await expect(session.merge(copy)).rejects.toThrow("no spam items")
        expect([held.note, inspect(held).modified, held.items]).toEqual([null, [], members])
        await session.commit()
        expect(await rows(id)).toEqual({
          shelf: [["main", null]],
          items: [
            [id + 1, "a", id],
            [id + 2, "b", id],
          ],
        })
      } finally {
        stop()
      }
    })

    it("refused after loading a held object's collection: that collection unloaded again, as it was", async () => {
      const { id, copy } = await stored()
      // Merged from an item: its shelf is merged after it, and the held shelf's items loaded for it.
      const item = copy.items[0] as Item
      copy.items.push(new Item({ id: id + 3, title: "c-spam" }))
      const stop = installValidators()
      try {
        await using session = new AsyncSession(engine)
        const held = (await session.get(Shelf, id)) as Shelf
        const heldItem = (await session.get(Item, id + 1)) as Item
        await expect(session.merge(item)).rejects.toThrow("no spam titles")
        expect(() => held.items).toThrow(NotLoadedError)
        expect([inspect(held).modified, inspect(heldItem).modified]).toEqual([[], []])
        await session.commit()
        expect((await rows(id)).items).toEqual([
          [id + 1, "a", id],
          [id + 2, "b", id],
        ])
      } finally {
        stop()
      }
    })

    it("refused midway for a new row: nothing left pending, nothing written", async () => {
      const id = nextId
      nextId += 10
      const shelf = new Shelf({
        id,
        label: "new",
        items: [new Item({ id: id + 1, title: "fine" }), new Item({ id: id + 2, title: "x-spam" })],
      })
      const stop = installValidators()
      try {
        await using session = new AsyncSession(engine)
        await expect(session.merge(shelf)).rejects.toThrow("no spam titles")
        expect([inspect(shelf).state, shelf.items.length]).toEqual(["transient", 2])
        await session.commit()
        expect(await rows(id)).toEqual({ shelf: [], items: [] })
      } finally {
        stop()
      }
    })

    it("does not autoflush midway: a related row read after the half-merged shelf writes nothing", async () => {
      const { id } = await stored()
      // A new shelf holding an item whose row exists (read by merge) and one refused after it.
      const other = nextId
      nextId += 10
      const item = new Item({ id: id + 1, title: "a-moved" })
      const shelf = new Shelf({ id: other, label: "other", items: [item] })
      shelf.items.push(new Item({ id: other + 1, title: "z-spam" }))
      const stop = installValidators()
      try {
        await using session = new AsyncSession(engine)
        await expect(session.merge(shelf)).rejects.toThrow("no spam titles")
        await session.commit()
        expect(await rows(other)).toEqual({ shelf: [], items: [] })
        expect((await rows(id)).items).toEqual([
          [id + 1, "a", id],
          [id + 2, "b", id],
        ])
      } finally {
        stop()
      }
    })
  })
}
