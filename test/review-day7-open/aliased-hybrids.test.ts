// A hybrid of a model on an alias of it: `aliased(Member).fullName` was undefined (select() of it
// refused "Cannot use undefined"), and TypeScript had no such property, where SQLAlchemy adapts a
// hybrid to the alias's columns. It is now the hybrid over the alias's (or subquery's) columns.
import { describe, expect, expectTypeOf, it } from "vitest"
import ws from "ws"
import {
  AsyncSession,
  aliased,
  column,
  hybrid,
  Integer,
  insert,
  model,
  Registry,
  String,
  select,
} from "../../src/index.ts"
import { libsqlHttpFixture, neonFixture } from "../engine/transports.ts"
import { freshSchema } from "../orm/fresh-schema.ts"

const registry = new Registry()
class Person extends model(
  "r7o_people",
  {
    id: column(Integer, { primaryKey: true }),
    first: column(String(20)),
    last: column(String(20)),
    mentorId: column(Integer, { nullable: true, foreignKey: "r7o_people.id" }),
  },
  { registry, hybrids: hybrid((c) => ({ fullName: c.first.concat(" ").concat(c.last) })) },
) {}
registry.registerModels(Person)

for (const fixture of [neonFixture("http", ws), libsqlHttpFixture()]) {
  describe(`hybrids of aliased entities on ${fixture.name}`, () => {
    const engine = fixture.engine(`r7o-hyb-${fixture.name}-${Date.now().toString(36)}`)
    freshSchema(engine, registry.metadata)

    it("seeds", async () => {
      await using session = new AsyncSession(engine)
      await session.execute(
        insert(Person).values([
          { id: 1, first: "Ada", last: "Lovelace", mentorId: null },
          { id: 2, first: "Bob", last: "Babbage", mentorId: 1 },
        ]),
      )
      await session.commit()
    })

    it("selects and filters by an alias's hybrid, beside the model's", async () => {
      await using session = new AsyncSession(engine)
      const mentor = aliased(Person, "r7o_mentor")
      expectTypeOf(mentor.fullName.valueType).toEqualTypeOf<string>()
      const rows = await session.execute(
        select(Person.fullName, mentor.fullName)
          .join(mentor, Person.mentorId.eq(mentor.id))
          .where(mentor.fullName.like("Ada%"))
          .orderBy(mentor.id),
      )
      expect(rows.all().map((row) => [...row])).toEqual([["Bob Babbage", "Ada Lovelace"]])
    })

    it("over a subquery", async () => {
      await using session = new AsyncSession(engine)
      const bobs = aliased(Person, select(Person).where(Person.id.eq(2)).subquery())
      expect((await session.scalars(select(bobs.fullName))).all()).toEqual(["Bob Babbage"])
    })
  })
}
