// Relationships over a composite foreign key: joinedload loads a many-to-one whole (a member whose key
// is partly NULL has none), and what cannot load (selectinload, refresh, session.load) is refused
// before anything is sent, naming what to do instead; the refusal said only "not supported yet".
import { describe, expect, it } from "vitest"
import ws from "ws"
import {
  AsyncSession,
  column,
  foreignKey,
  Integer,
  InvalidRequestError,
  insert,
  joinedload,
  model,
  ReadSession,
  Registry,
  relationship,
  String,
  select,
  selectinload,
} from "../../src/index.ts"
import { libsqlHttpFixture, neonFixture } from "../engine/transports.ts"
import { freshSchema } from "../orm/fresh-schema.ts"

const registry = new Registry()
class Org extends model(
  "r6l_ck_orgs",
  {
    region: column(String(10), { primaryKey: true }),
    num: column(Integer, { primaryKey: true }),
    name: column(String(20)),
    members: relationship<Member[]>("Member", { backPopulates: "org" }),
  },
  { registry },
) {}
class Member extends model(
  "r6l_ck_members",
  {
    id: column(Integer, { primaryKey: true }),
    orgRegion: column(String(10), { nullable: true }),
    orgNum: column(Integer, { nullable: true }),
    org: relationship<Org | null>("Org", { backPopulates: "members" }),
  },
  { registry, constraints: [foreignKey(["orgRegion", "orgNum"], "r6l_ck_orgs", ["region", "num"])] },
) {}
registry.registerModels(Org, Member)

for (const fixture of [neonFixture("http", ws), libsqlHttpFixture()]) {
  describe(`relationships over a composite key on ${fixture.name}`, () => {
    const scope = `r6l-ck-${fixture.name}-${Date.now().toString(36)}`
    const engine = fixture.engine(scope)
    freshSchema(engine, registry.metadata)

    it("seeds", async () => {
      await using session = new AsyncSession(engine)
      await session.execute(
        insert(Org).values([
          { region: "eu", num: 1, name: "eu1" },
          { region: "us", num: 1, name: "us1" },
          { region: "eu", num: 2, name: "eu2" },
        ]),
      )
      await session.execute(
        insert(Member).values([
          { id: 1, orgRegion: "eu", orgNum: 1 },
          { id: 2, orgRegion: "us", orgNum: 1 },
          { id: 3, orgRegion: "eu", orgNum: null },
        ]),
      )
      await session.commit()
    })

    it("joinedload loads a many-to-one by both columns", async () => {
      await using session = new ReadSession(engine)
      const members = (
        await session.scalars(select(Member).orderBy(Member.id).options(joinedload(Member.org)))
      ).all()
      expect(members.map((member) => [member.id, member.org?.name ?? null])).toEqual([
        [1, "eu1"],
        [2, "us1"],
        [3, null],
      ])
    })

    it("refuses what it cannot load before sending anything, naming what to do instead", async () => {
      await using session = new ReadSession(engine)
      const [member] = (await session.scalars(select(Member).where(Member.id.eq(1)))).all()
      if (!member) throw new Error("no member 1")
      const before = await fixture.stats(scope)
      await expect(session.scalars(select(Member).options(selectinload(Member.org)))).rejects.toThrow(
        new InvalidRequestError(
          "Loading Member.org over a composite key is not supported yet; join it into the query: .options(joinedload(Member.org))",
        ),
      )
      await expect(session.refresh(member, ["org"])).rejects.toThrow(/joinedload\(Member\.org\)/)
      await expect(session.scalars(select(Org).options(selectinload(Org.members)))).rejects.toThrow(
        new InvalidRequestError(
          "Loading Org.members over a composite key is not supported yet; select its rows in a query of their own: select(Member).where(...)",
        ),
      )
      const after = await fixture.stats(scope)
      expect((after?.httpRequests ?? 0) - (before?.httpRequests ?? 0)).toBe(0)
    })
  })
}
