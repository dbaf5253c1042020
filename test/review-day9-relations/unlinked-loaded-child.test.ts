// Deleting a parent whose loaded collection does not cascade the delete sets its children's keys to
// NULL. A child the bulk UPDATE unlinked (the collection not loaded) lost its many-to-one too, but one
// the loaded collection listed kept naming the deleted parent: `pet.owner` read the deleted owner while
// `pet.ownerId` was null. Both ways now leave the many-to-one empty, and a failed flush puts it back.
import { describe, expect, it } from "vitest"
import ws from "ws"
import { AsyncSession, IntegrityError, insert, inspect, select, selectinload, text } from "../../src/index.ts"
import { libsqlHttpFixture, neonFixture } from "../engine/transports.ts"
import { freshSchema } from "../orm/fresh-schema.ts"
import { relationModels } from "./models.ts"

const { registry, Parent, Pet } = relationModels("r9rel_unl")

for (const fixture of [neonFixture("http", ws), libsqlHttpFixture()]) {
  describe(`a loaded child of a deleted parent, without a delete cascade, on ${fixture.name}`, () => {
    const engine = fixture.engine(`r9rel-unl-${fixture.name}-${Date.now().toString(36)}`)
    freshSchema(engine, registry.metadata)

    const seed = async () => {
      await engine.execute(text("DELETE FROM r9rel_unl_pets"))
      await engine.execute(text("DELETE FROM r9rel_unl_parents"))
      await engine.execute(insert(Parent).values({ id: 1, name: "owner" }))
      await engine.execute(insert(Pet).values({ id: 1, name: "rex", ownerId: 1 }))
    }
    const load = (session: AsyncSession) =>
      session.scalars(select(Parent).where(Parent.id.eq(1)).options(selectinload(Parent.pets)))

    it("is unlinked on both sides, as an unloaded collection's child is", async () => {
      await seed()
      await using session = new AsyncSession(engine)
      const owner = (await load(session)).one()
      const [pet] = owner.pets
      expect(pet?.owner).toBe(owner)
      await session.delete(owner)
      await session.commit()
      expect(inspect(pet as object).state).toBe("persistent")
      expect(pet?.ownerId).toBe(null)
      // Was: the deleted owner.
      expect(pet?.owner).toBe(null)
      const rows = await engine.execute(text('SELECT id, "ownerId" FROM r9rel_unl_pets'))
      expect(rows.all().map((row) => [Number(row[0]), row[1]])).toEqual([[1, null]])
    })

    it("keeps its parent when the flush fails", async () => {
      await seed()
      await using session = new AsyncSession(engine)
      const owner = (await load(session)).one()
      const [pet] = owner.pets
      await session.delete(owner)
      // A new pet with the held one's key: its INSERT fails, and the whole flush with it.
      session.add(new Pet({ id: 1, name: "dup" }))
      await expect(session.commit()).rejects.toThrow(IntegrityError)
      expect(pet?.ownerId).toBe(1)
      expect(pet?.owner).toBe(owner)
    })
  })
}
