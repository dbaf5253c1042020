// joinedload(Note.acct) of a model whose own relationship loads by default (`lazy: "selectin"`) left
// that relationship unloaded (NotLoadedError on reading it), where selectinload(Note.acct), and a
// relationship declared `lazy: "joined"`, loaded it: SQLAlchemy applies a model's default loads to its
// objects however they were loaded. Such a many-to-one now loads as a level, whose defaults load too.
import { describe, expect, it } from "vitest"
import ws from "ws"
import {
  AsyncSession,
  column,
  Integer,
  insert,
  joinedload,
  model,
  ReadSession,
  Registry,
  relationship,
  select,
  selectinload,
} from "../../src/index.ts"
import { libsqlHttpFixture, neonFixture } from "../engine/transports.ts"
import { freshSchema } from "../orm/fresh-schema.ts"

const registry = new Registry()
class Acct extends model(
  "r5r_jd_accts",
  {
    id: column(Integer, { primaryKey: true }),
    items: relationship<Item[]>("Item", { lazy: "selectin" }),
  },
  { registry },
) {}
class Item extends model(
  "r5r_jd_items",
  {
    id: column(Integer, { primaryKey: true }),
    acctId: column(Integer, { foreignKey: "r5r_jd_accts.id" }),
  },
  { registry },
) {}
class Note extends model(
  "r5r_jd_notes",
  {
    id: column(Integer, { primaryKey: true }),
    acctId: column(Integer, { nullable: true, foreignKey: "r5r_jd_accts.id" }),
    acct: relationship<Acct | null>("Acct"),
  },
  { registry },
) {}
registry.registerModels(Acct, Item, Note)

for (const fixture of [neonFixture("http", ws), neonFixture("websocket", ws), libsqlHttpFixture()]) {
  describe(`joinedload of a many-to-one whose target loads more by default, on ${fixture.name}`, () => {
    const engine = fixture.engine(`r5r-jd-${fixture.name}-${Date.now().toString(36)}`)
    freshSchema(engine, registry.metadata)

    it("seeds", async () => {
      await using session = new AsyncSession(engine)
      await session.execute(insert(Acct).values([{ id: 1 }, { id: 2 }]))
      await session.execute(
        insert(Item).values([
          { id: 1, acctId: 1 },
          { id: 2, acctId: 1 },
        ]),
      )
      await session.execute(
        insert(Note).values([
          { id: 1, acctId: 1 },
          { id: 2, acctId: 2 },
          { id: 3, acctId: null },
        ]),
      )
      await session.commit()
    })

    for (const [name, option] of [
      ["joinedload", joinedload(Note.acct)],
      ["selectinload", selectinload(Note.acct)],
    ] as const) {
      it(`${name} loads the target's own defaults, in one statement`, async () => {
        const counted = engine.child()
        let statements = 0
        counted.on("statement", () => {
          statements++
        })
        await using session = new ReadSession(counted)
        const notes = (await session.scalars(select(Note).orderBy(Note.id).options(option))).all()
        expect(notes.map((note) => note.acct?.items.map((item) => item.id) ?? null)).toEqual([
          [1, 2],
          [],
          null,
        ])
        expect(statements).toBe(1)
      })
    }
  })
}
