// Integer columns read back refuse text that is no number (4732f16), but Number() reads some text as a
// number it is not: '' and ' ' as 0, '0x10' as 16. An empty string in an integer column is what CSV
// imports into SQLite leave for a missing value; it read as 0, a value nobody wrote, with nothing said.
import { describe, expect, it } from "vitest"
import ws from "ws"
import { AsyncSession, column, Integer, model, Registry, select, text } from "../../src/index.ts"
import { libsqlHttpFixture, neonFixture } from "../engine/transports.ts"
import { freshSchema } from "../orm/fresh-schema.ts"

for (const fixture of [neonFixture("http", ws), libsqlHttpFixture()]) {
  describe(`text in an Integer column on ${fixture.name}`, () => {
    const engine = fixture.engine(`rd-integer-text-${fixture.name}-${Date.now().toString(36)}`)
    const registry = new Registry()
    class Counted extends model(
      "rd_counted",
      { id: column(Integer, { primaryKey: true }), n: column(Integer, { nullable: true }) },
      { registry },
    ) {}
    freshSchema(engine, registry.metadata)

    it("refuses '', ' ' and '0x10' rather than reading 0, 0 and 16; reads '12' as 12", async () => {
      await using session = new AsyncSession(engine)
      // SQLite's INTEGER column keeps text that is no number as it is; PostgreSQL's is made text.
      if (fixture.dialect === "postgresql")
        await session.execute(text("ALTER TABLE rd_counted ALTER COLUMN n TYPE TEXT"))
      await session.execute(
        text("INSERT INTO rd_counted (id, n) VALUES (1, ''), (2, ' '), (3, '0x10'), (4, '12')"),
      )
      await session.commit()
      const read = (id: number) => session.scalar(select(Counted.n).where(Counted.id.eq(id)))
      await expect(read(1)).rejects.toThrow('An integer value cannot hold ""')
      await expect(read(2)).rejects.toThrow('An integer value cannot hold " "')
      await expect(read(3)).rejects.toThrow('An integer value cannot hold "0x10"')
      expect(await read(4)).toBe(12)
    })
  })
}
