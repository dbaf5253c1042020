// A graph's rows travel as one JSON value, and that JSON is what counts against an answer's 10 MB limit:
// a quote counts two bytes there. 8.8 MB of text made of quotes reads whole as a plain query and is
// refused as a load, on both databases, as README says: a ProgrammingError that names the fix, in one
// request, not a second try behind the application's back.
import { describe, expect, it } from "vitest"
import ws from "ws"
import { AsyncSession, insert, ProgrammingError, ReadSession, select, selectinload } from "../../src/index.ts"
import { libsqlHttpFixture, neonFixture } from "../engine/transports.ts"
import { freshSchema } from "../orm/fresh-schema.ts"
import { r5Models } from "../review-day5-reads/models.ts"

const { R5User, R5Value, registry } = r5Models("r6l_big")

for (const fixture of [neonFixture("http", ws), libsqlHttpFixture()]) {
  describe(`a graph whose JSON passes 10 MB on ${fixture.name}`, () => {
    const scope = `r6l-big-${fixture.name}-${Date.now().toString(36)}`
    const engine = fixture.engine(scope)
    freshSchema(engine, registry.metadata)

    it("seeds 8.8 MB of quotes", async () => {
      await using session = new AsyncSession(engine)
      await session.execute(insert(R5User).values([{ id: 1, name: "ada", managerId: null }]))
      for (let i = 1; i <= 8; i++) {
        await session.execute(insert(R5Value).values([{ id: i, ownerId: 1, body: '"'.repeat(1_100_000) }]))
      }
      await session.commit()
    })

    it("reads whole as a plain query, and is refused as a load, in one request", async () => {
      await using session = new ReadSession(engine)
      const plain = (await session.scalars(select(R5Value).orderBy(R5Value.id))).all()
      expect(plain.map((value) => value.body?.length)).toEqual(Array(8).fill(1_100_000))
      session.expungeAll()
      const before = await fixture.stats(scope)
      const load = session.scalars(select(R5User).options(selectinload(R5User.values)))
      await expect(load).rejects.toThrow(ProgrammingError)
      await expect(load).rejects.toThrow(/return fewer rows/)
      const after = await fixture.stats(scope)
      expect((after?.httpRequests ?? 0) - (before?.httpRequests ?? 0)).toBe(1)
    })
  })
}
