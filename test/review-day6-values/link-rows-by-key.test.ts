// A many-to-many link row was known by its key values' text (`${typeof value}:${String(value)}`), so
// that a link recorded from both sides is one. A Date's text stops at the second: two targets keyed
// by Dates of one second were one link row. Linking a post to both wrote one link (the other silently
// lost), and taking one of them out deleted both. Link rows are now known by their key values as
// identities compare them (a Date by its milliseconds).
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import ws from "ws"
import {
  AsyncSession,
  column,
  DateTime,
  Integer,
  model,
  Registry,
  relationship,
  select,
  table,
} from "../../src/index.ts"
import { libsqlEmbedded } from "../../src/libsql-node.ts"
import { libsqlEmbeddedFixture, libsqlHttpFixture, neonFixture } from "../engine/transports.ts"
import { freshSchema } from "../orm/fresh-schema.ts"
import { scratchDir } from "../setup/scratch.ts"

const registry = new Registry()
const bookings = table(
  "d6v_bookings",
  {
    guestId: column(Integer, { primaryKey: true, foreignKey: "d6v_guests.id" }),
    slotAt: column(DateTime, { primaryKey: true, foreignKey: "d6v_slots.at" }),
  },
  { metadata: registry.metadata },
)
class Guest extends model(
  "d6v_guests",
  {
    id: column(Integer, { primaryKey: true }),
    slots: relationship<Slot[]>("Slot", { secondary: "d6v_bookings", backPopulates: "guests" }),
  },
  { registry },
) {}
class Slot extends model(
  "d6v_slots",
  {
    at: column(DateTime, { primaryKey: true }),
    guests: relationship<Guest[]>("Guest", { secondary: "d6v_bookings", backPopulates: "slots" }),
  },
  { registry },
) {}
registry.registerModels(Guest, Slot)

const fixtures = [
  neonFixture("http", ws),
  neonFixture("websocket", ws),
  libsqlHttpFixture(),
  libsqlEmbeddedFixture(libsqlEmbedded(), join(scratchDir("d6v-links"), "links.db")),
]
for (const fixture of fixtures) {
  describe(`link rows to targets keyed by Dates of one second on ${fixture.name}`, () => {
    const engine = fixture.engine(`d6v-links-${fixture.name}-${Date.now().toString(36)}`)
    freshSchema(engine, registry.metadata)
    let nextId = 1

    async function booked(guestId: number): Promise<string[]> {
      await using session = new AsyncSession(engine)
      const rows = await session.execute(
        select(bookings.c.slotAt).where(bookings.c.guestId.eq(guestId)).orderBy(bookings.c.slotAt),
      )
      return rows
        .scalars()
        .all()
        .map((at) => at.toISOString())
    }

    it("linking both writes both; taking one out deletes that one", async () => {
      const id = nextId++
      const second = Date.UTC(2024, 0, 1, 0, 0, id)
      await using session = new AsyncSession(engine)
      const early = new Slot({ at: new Date(second + 100) })
      const late = new Slot({ at: new Date(second + 900) })
      const guest = new Guest({ id, slots: [early, late] })
      session.add(guest)
      await session.commit()
      expect(await booked(id)).toEqual([early.at.toISOString(), late.at.toISOString()])
      guest.slots = [early]
      await session.commit()
      expect(await booked(id)).toEqual([early.at.toISOString()])
    })

    it("linked from the other side, one by one, after loading", async () => {
      const id = nextId++
      const second = Date.UTC(2024, 0, 1, 0, 0, id)
      {
        await using session = new AsyncSession(engine)
        session.addAll([
          new Guest({ id }),
          new Slot({ at: new Date(second + 1) }),
          new Slot({ at: new Date(second + 2) }),
        ])
        await session.commit()
      }
      await using session = new AsyncSession(engine)
      const guest = (await session.scalars(select(Guest).where(Guest.id.eq(id)))).one()
      await session.load([guest], Guest.slots)
      const slots = (
        await session.scalars(
          select(Slot)
            .where(Slot.at.ge(new Date(second)))
            .orderBy(Slot.at),
        )
      ).all()
      await session.load(slots, Slot.guests)
      for (const slot of slots.slice(0, 2)) slot.guests.push(guest)
      await session.commit()
      expect(await booked(id)).toEqual([
        new Date(second + 1).toISOString(),
        new Date(second + 2).toISOString(),
      ])
      slots[1]?.guests.splice(0, 1)
      await session.commit()
      expect(await booked(id)).toEqual([new Date(second + 1).toISOString()])
    })
  })
}
