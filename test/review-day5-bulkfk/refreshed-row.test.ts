// A held child that another program moved to another parent, whose new row then reaches the session
// (a query with populateExisting, refresh(), an upsert's RETURNING, commit({ read })): its key column
// takes the row's value, and its loaded relationships must follow, as after a bulk UPDATE
// (./moved-child.test.ts). Before, the old parent's loaded collection still held it as committed:
// deleting that parent with a delete cascade deleted the row that now belongs to the other parent.
import { describe, expect, it } from "vitest"
import ws from "ws"
import {
  AsyncSession,
  column,
  deleteFrom,
  Integer,
  insert,
  model,
  Registry,
  relationship,
  select,
  selectinload,
  update,
} from "../../src/index.ts"
import { libsqlHttpFixture, neonFixture } from "../engine/transports.ts"
import { freshSchema } from "../orm/fresh-schema.ts"

const registry = new Registry()
class Owner extends model(
  "r5k_rr_owners",
  {
    id: column(Integer, { primaryKey: true }),
    pets: relationship<Pet[]>("Pet", { backPopulates: "owner", cascade: ["save-update", "delete"] }),
  },
  { registry },
) {}
class Pet extends model(
  "r5k_rr_pets",
  {
    id: column(Integer, { primaryKey: true }),
    age: column(Integer),
    ownerId: column(Integer, { nullable: true, foreignKey: "r5k_rr_owners.id" }),
    owner: relationship<Owner | null>("Owner", { backPopulates: "pets" }),
  },
  { registry },
) {}
registry.registerModels(Owner, Pet)

type How = "populateExisting" | "refresh" | "upsert RETURNING" | "commit({ read })"
const HOWS: How[] = ["populateExisting", "refresh", "upsert RETURNING", "commit({ read })"]

for (const fixture of [neonFixture("http", ws), neonFixture("websocket", ws), libsqlHttpFixture()]) {
  describe(`a held child's row moved by another program reaches the session, on ${fixture.name}`, () => {
    const engine = fixture.engine(`r5k-rr-${fixture.name}-${Date.now().toString(36)}`)
    freshSchema(engine, registry.metadata)

    for (const how of HOWS) {
      it(`(${how}) the relationships follow the row; the old owner's delete cascade leaves the pet`, async () => {
        {
          await using s = new AsyncSession(engine)
          await s.execute(deleteFrom(Pet), { synchronizeSession: false })
          await s.execute(deleteFrom(Owner), { synchronizeSession: false })
          s.addAll([new Owner({ id: 1 }), new Owner({ id: 2 })])
          await s.flush()
          s.addAll([new Pet({ id: 1, age: 1, ownerId: 1 }), new Pet({ id: 2, age: 1, ownerId: 1 })])
          await s.commit()
        }
        await using session = new AsyncSession(engine)
        const [one, two] = (
          await session.scalars(
            select(Owner).orderBy(Owner.id).options(selectinload(Owner.pets).selectinload(Pet.owner)),
          )
        ).all() as [Owner, Owner]
        const pet = one.pets.find((p) => p.id === 1) as Pet
        if (how === "upsert RETURNING") {
          await session.execute(
            insert(Pet)
              .values({ id: 1, age: 2, ownerId: 2 })
              .onConflictDoUpdate({ target: ["id"], set: { age: 2, ownerId: 2 } })
              .returning(Pet),
          )
        } else {
          {
            await using other = new AsyncSession(engine)
            await other.execute(update(Pet).where(Pet.id.eq(1)).values({ ownerId: 2 }))
          }
          if (how === "refresh") await session.refresh(pet)
          else if (how === "populateExisting")
            await session.execute(select(Pet).where(Pet.id.eq(1)), { populateExisting: true })
          else await session.commit({ read: select(Pet).where(Pet.id.eq(1)) })
        }
        expect(pet.ownerId).toBe(2)
        expect(pet.owner).toBe(two)
        expect(one.pets.map((p) => p.id)).toEqual([2])
        expect(two.pets).toEqual([pet])
        await session.delete(one)
        await session.commit()
        await using r = new AsyncSession(engine)
        const rows = (await r.execute(select(Pet.id, Pet.ownerId).orderBy(Pet.id))).all()
        expect(rows.map((row) => [...(row as unknown as unknown[])])).toEqual([[1, 2]])
      })
    }
  })
}
