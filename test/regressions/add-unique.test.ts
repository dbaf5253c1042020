// Regressions found in review: session.addUnique with rows of different shapes, keys and run order.
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import ws from "ws"
import { AsyncSession, aliased, deleteFrom, select } from "../../src/index.ts"
import { libsqlEmbedded } from "../../src/libsql-node.ts"
import { libsqlEmbeddedFixture, neonFixture, type TransportFixture } from "../engine/transports.ts"
import { freshSchema } from "../orm/fresh-schema.ts"
import { scratchDir } from "../setup/scratch.ts"
import { RTag, RTagUse, uregistry } from "./unique-models.ts"

const fixtures: TransportFixture[] = [
  neonFixture("http", ws),
  libsqlEmbeddedFixture(libsqlEmbedded(), join(scratchDir("ea-review-u"), "u.db")),
]

for (const fixture of fixtures) {
  describe(`addUnique on ${fixture.name}`, () => {
    const engine = fixture.engine(`review-u-${fixture.name}-${Date.now().toString(36)}`)
    freshSchema(engine, uregistry.metadata)

    it("maps onto the existing row by a unique column whose database name differs, with a row using it", async () => {
      {
        await using s = new AsyncSession(engine)
        await s.execute(deleteFrom(RTagUse), { synchronizeSession: false })
        await s.execute(deleteFrom(RTag), { synchronizeSession: false })
        s.add(new RTag({ slug: "orm", color: "blue" }))
        await s.commit()
      }
      await using session = new AsyncSession(engine)
      const tag = session.addUnique(new RTag({ slug: "orm" }), ["slug"])
      session.add(new RTagUse({ tag }))
      await session.commit()
      const rows = (await session.execute(select(RTag.id, RTag.slug, RTag.color))).all()
      expect(rows.length).toBe(1)
      expect(tag.id).toBe(rows[0]?.[0])
      expect(tag.color).toBe("blue")
    })

    it("selects an aliased model over a subquery when a column's database name differs from its key", async () => {
      await using session = new AsyncSession(engine)
      const narrowed = aliased(RTag, select(RTag).where(RTag.slug.ne("zzz")).subquery("narrowed"))
      const rows = (await session.scalars(select(narrowed))).all()
      expect(rows.every((row) => row instanceof RTag)).toBe(true)
    })

    it("links a row to a unique row whose key has quotes and backslashes", async () => {
      {
        await using s = new AsyncSession(engine)
        await s.execute(deleteFrom(RTagUse), { synchronizeSession: false })
        await s.execute(deleteFrom(RTag), { synchronizeSession: false })
      }
      await using session = new AsyncSession(engine)
      const slug = "o'reilly \\' --"
      const tag = session.addUnique(new RTag({ slug }), ["slug"])
      session.add(new RTagUse({ tag }))
      await session.commit()
      const rows = (await session.execute(select(RTagUse.tagId))).scalars().all()
      expect(rows).toEqual([tag.id])
    })

    it("links rows to new rows of different shapes (plain add)", async () => {
      {
        await using s = new AsyncSession(engine)
        await s.execute(deleteFrom(RTagUse), { synchronizeSession: false })
        await s.execute(deleteFrom(RTag), { synchronizeSession: false })
      }
      await using session = new AsyncSession(engine)
      const a = new RTag({ slug: "a", color: "green" })
      const b = new RTag({ slug: "b" })
      const c = new RTag({ slug: "c", color: "blue" })
      const d = new RTag({ slug: "d" })
      const uses = [d, a, c, b].map((tag) => new RTagUse({ tag }))
      session.addAll([a, b, c, d, ...uses])
      await session.commit()
      const rows = (
        await session.execute(
          select(RTagUse.id, RTag.slug).join(RTag, RTag.id.eq(RTagUse.tagId)).orderBy(RTagUse.id),
        )
      ).all()
      expect(rows.map((r) => r[1])).toEqual(["d", "a", "c", "b"])
      expect([a, b, c, d].map((t) => t.color)).toEqual(["green", "red", "blue", "red"])
    })

    it("takes new rows of different shapes in one flush (one leaves a column to its server default)", async () => {
      {
        await using s = new AsyncSession(engine)
        await s.execute(deleteFrom(RTagUse), { synchronizeSession: false })
        await s.execute(deleteFrom(RTag), { synchronizeSession: false })
      }
      await using session = new AsyncSession(engine)
      const a = session.addUnique(new RTag({ slug: "a", color: "green" }), ["slug"])
      const b = session.addUnique(new RTag({ slug: "b" }), ["slug"])
      await session.commit()
      expect([a.color, b.color]).toEqual(["green", "red"])
    })
  })
}
