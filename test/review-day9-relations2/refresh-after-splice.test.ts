// `refresh(parent, ["pets"])` inside noAutoflush, after a splice took a pet out, reloaded the collection
// as the database has it (the pet listed again) but left the pet's own pending change (`pet.owner` null),
// which is what the flush writes, as SQLAlchemy's flush writes the child's many-to-one history: the commit
// stored a NULL key while `parent.pets` still listed the pet. The reloaded collection now shows the
// session's pending links too: a child whose many-to-one names another parent (or none) is not listed,
// one that names this parent and is not in the database yet is; the commit writes what memory shows.
import { describe, expect, it } from "vitest"
import ws from "ws"
import { AsyncSession, insert, select, selectinload, text } from "../../src/index.ts"
import { libsqlHttpFixture, neonFixture } from "../engine/transports.ts"
import { freshSchema } from "../orm/fresh-schema.ts"
import { relationModels } from "../review-day9-relations/models.ts"

const { registry, Parent, Child, Pet } = relationModels("r9rel2_refr")

for (const fixture of [neonFixture("http", ws), libsqlHttpFixture()]) {
  describe(`refresh of a collection after an unflushed splice, on ${fixture.name}`, () => {
    const engine = fixture.engine(`r9rel2-refr-${fixture.name}-${Date.now().toString(36)}`)
    freshSchema(engine, registry.metadata)

    const seed = async () => {
      for (const table of ["pets", "children", "parents"])
        await engine.execute(text(`DELETE FROM r9rel2_refr_${table}`))
      await engine.execute(
        insert(Parent).values([
          { id: 1, name: "p" },
          { id: 2, name: "q" },
        ]),
      )
      await engine.execute(
        insert(Pet).values([
          { id: 1, name: "rex", ownerId: 1 },
          { id: 2, name: "tom", ownerId: 1 },
        ]),
      )
      await engine.execute(
        insert(Child).values([
          { id: 1, name: "a", parentId: 1 },
          { id: 2, name: "b", parentId: 1 },
        ]),
      )
    }
    const rows = async (table: string, key: string) =>
      (await engine.execute(text(`SELECT id, "${key}" FROM r9rel2_refr_${table} ORDER BY id`)))
        .all()
        .map((row) => [Number(row[0]), row[1] === null ? null : Number(row[1])])

    it("lists what the commit writes: a pet taken out stays out, one moved in stays in", async () => {
      await seed()
      await using session = new AsyncSession(engine)
      const [p, q] = (
        await session.scalars(select(Parent).options(selectinload(Parent.pets)).orderBy(Parent.id))
      ).all() as [InstanceType<typeof Parent>, InstanceType<typeof Parent>]
      const [rex, tom] = p.pets as [InstanceType<typeof Pet>, InstanceType<typeof Pet>]
      const fido = new Pet({ id: 3, name: "fido" })
      await session.noAutoflush(async () => {
        p.pets.splice(0, 1)
        tom.owner = q
        p.pets.push(fido)
        await session.refresh(p, ["pets"])
      })
      // Was: [rex, tom], while the commit unlinked rex and moved tom to q.
      expect(p.pets).toEqual([fido])
      expect(rex.owner).toBe(null)
      expect(q.pets).toEqual([tom])
      await session.commit()
      expect(await rows("pets", "ownerId")).toEqual([
        [1, null],
        [2, 2],
        [3, 1],
      ])
      await session.refresh(p, ["pets"])
      expect(p.pets).toEqual([fido])
    })

    it("shows a row another program moved: a many-to-one not changed here is the older read", async () => {
      await seed()
      await using session = new AsyncSession(engine)
      const p = (
        await session.scalars(select(Parent).where(Parent.id.eq(1)).options(selectinload(Parent.pets)))
      ).one()
      const [rex] = p.pets
      await engine.execute(text('UPDATE r9rel2_refr_pets SET "ownerId" = 2 WHERE id = 2'))
      await session.refresh(p, ["pets"])
      expect(p.pets).toEqual([rex])
      await session.commit()
      expect(await rows("pets", "ownerId")).toEqual([
        [1, 1],
        [2, 2],
      ])
    })

    it("deletes the orphan a delete-orphan collection no longer lists", async () => {
      await seed()
      await using session = new AsyncSession(engine)
      const p = (
        await session.scalars(select(Parent).where(Parent.id.eq(1)).options(selectinload(Parent.children)))
      ).one()
      const [a, b] = p.children
      await session.noAutoflush(async () => {
        p.children.splice(0, 1)
        await session.refresh(p, ["children"])
      })
      expect(p.children).toEqual([b])
      expect(a?.parent).toBe(null)
      await session.commit()
      expect(await rows("children", "parentId")).toEqual([[2, 1]])
    })
  })
}
