// A many-to-many from a model to itself (`follows(followerId, followedId)`, both keys to users): each
// side of the association was resolved by the first foreign key to the table, the same for both, so a
// load returned each user as following itself (and a flush left the other column NULL). Now the
// relationship names its side with `foreignKey` (the column pointing at the parent), as SQLAlchemy's
// primaryjoin/secondaryjoin; without it such a relationship is refused, naming the fix.
import { describe, expect, it } from "vitest"
import ws from "ws"
import {
  AsyncSession,
  column,
  Integer,
  InvalidRequestError,
  insert,
  model,
  ReadSession,
  Registry,
  relationship,
  String,
  select,
  selectinload,
  table,
} from "../../src/index.ts"
import { libsqlHttpFixture, neonFixture } from "../engine/transports.ts"
import { freshSchema } from "../orm/fresh-schema.ts"

const registry = new Registry()
const follows = table(
  "r5r_sm_follows",
  {
    followerId: column(Integer, { primaryKey: true, foreignKey: "r5r_sm_people.id" }),
    followedId: column(Integer, { primaryKey: true, foreignKey: "r5r_sm_people.id" }),
  },
  { metadata: registry.metadata },
)
class Person extends model(
  "r5r_sm_people",
  {
    id: column(Integer, { primaryKey: true }),
    name: column(String(20)),
    following: relationship<Person[]>("Person", {
      secondary: "r5r_sm_follows",
      foreignKey: "followerId",
      backPopulates: "followers",
    }),
    followers: relationship<Person[]>("Person", {
      secondary: "r5r_sm_follows",
      foreignKey: "followedId",
      backPopulates: "following",
    }),
  },
  { registry },
) {}
registry.registerModels(Person)

const names = (people: readonly Person[]) => people.map((person) => person.name).sort()

for (const fixture of [neonFixture("http", ws), neonFixture("websocket", ws), libsqlHttpFixture()]) {
  describe(`a self-referential many-to-many on ${fixture.name}`, () => {
    const engine = fixture.engine(`r5r-sm-${fixture.name}-${Date.now().toString(36)}`)
    freshSchema(engine, registry.metadata)

    it("loads each side by its own column", async () => {
      {
        await using session = new AsyncSession(engine)
        await session.execute(insert(Person).values([1, 2, 3].map((id) => ({ id, name: `p${id}` }))))
        await session.execute(
          insert(follows).values([
            { followerId: 1, followedId: 2 },
            { followerId: 1, followedId: 3 },
            { followerId: 3, followedId: 2 },
          ]),
        )
        await session.commit()
      }
      await using session = new ReadSession(engine)
      const people = (
        await session.scalars(
          select(Person)
            .where(Person.id.le(3))
            .orderBy(Person.id)
            .options(selectinload(Person.following), selectinload(Person.followers)),
        )
      ).all()
      expect(people.map((person) => [names(person.following), names(person.followers)])).toEqual([
        [["p2", "p3"], []],
        [[], ["p1", "p3"]],
        [["p2"], ["p1"]],
      ])
    })

    it("filters by either side with any()", async () => {
      await using session = new ReadSession(engine)
      const followingP2 = select(Person.c.name).where(
        Person.following.any(Person.c.name.eq("p2")),
        Person.id.le(3),
      )
      const followedByP1 = select(Person.c.name).where(
        Person.followers.any(Person.c.name.eq("p1")),
        Person.id.le(3),
      )
      expect((await session.scalars(followingP2.orderBy(Person.id))).all()).toEqual(["p1", "p3"])
      expect((await session.scalars(followedByP1.orderBy(Person.id))).all()).toEqual(["p2", "p3"])
    })

    it("writes a link with both columns", async () => {
      {
        await using session = new AsyncSession(engine)
        const [ann, bob] = [new Person({ id: 11, name: "ann" }), new Person({ id: 12, name: "bob" })]
        ann.following.push(bob)
        session.add(ann)
        await session.commit()
        expect(bob.followers).toEqual([ann])
      }
      await using session = new ReadSession(engine)
      const links = await session.execute(select(follows).where(follows.c.followerId.ge(11)))
      expect(links.all().map(([link]) => link)).toEqual([{ followerId: 11, followedId: 12 }])
    })
  })
}

describe("a self-referential many-to-many that does not name its side", () => {
  it("is refused, naming foreignKey", () => {
    const loose = new Registry()
    table(
      "r5r_sm_loose_follows",
      {
        followerId: column(Integer, { primaryKey: true, foreignKey: "r5r_sm_loose.id" }),
        followedId: column(Integer, { primaryKey: true, foreignKey: "r5r_sm_loose.id" }),
      },
      { metadata: loose.metadata },
    )
    class Loose extends model(
      "r5r_sm_loose",
      {
        id: column(Integer, { primaryKey: true }),
        following: relationship<Loose[]>("Loose", { secondary: "r5r_sm_loose_follows" }),
      },
      { registry: loose },
    ) {}
    loose.registerModels(Loose)
    expect(() => select(Loose).where(Loose.following.any())).toThrow(InvalidRequestError)
    expect(() => select(Loose).where(Loose.following.any())).toThrow(
      /Loose\.following: association table "r5r_sm_loose_follows" has 2 foreign keys to "r5r_sm_loose"; name the column that points at the parent with \{ foreignKey/,
    )
  })
})
