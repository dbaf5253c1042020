// Two rows that name each other, one through a postUpdate many-to-one (a department and its head, who
// works in it), are inserted by a flush that sets the department's head by an UPDATE once both rows
// exist, as SQLAlchemy's post_update does. Deleting both in one flush failed on a foreign key
// (IntegrityError): whichever row went first was still named by the other. SQLAlchemy's post_update
// sets the key to NULL by an UPDATE before the row's DELETE; the flush now does too, when the row it
// names is deleted in the same flush, in the same request, whether the relationship is loaded or not.
// The tables of such a cycle were also ordered as their models were declared, the postUpdate key
// counted as any other: declared the other way round, the row whose key the other holds went second,
// and inserting the pair failed ('Team is linked to but not part of the flush' on SQLite, 'malformed
// array literal' on PostgreSQL). The keys a postUpdate sets no longer order inserts or deletes.
import { describe, expect, it } from "vitest"
import ws from "ws"
import {
  AsyncSession,
  column,
  Integer,
  inspect,
  model,
  Registry,
  relationship,
  String,
  select,
} from "../../src/index.ts"
import { libsqlHttpFixture, neonFixture } from "../engine/transports.ts"
import { freshSchema } from "../orm/fresh-schema.ts"

const registry = new Registry()
class Dept extends model(
  "r7s_pud_depts",
  {
    id: column(Integer, { primaryKey: true }),
    name: column(String(20)),
    headId: column(Integer, { nullable: true, foreignKey: "r7s_pud_people.id" }),
    head: relationship<Person | null>("Person", { foreignKey: "headId", postUpdate: true }),
    staff: relationship<Person[]>("Person", { foreignKey: "deptId", backPopulates: "dept", cascade: "all" }),
  },
  { registry },
) {}
class Person extends model(
  "r7s_pud_people",
  {
    id: column(Integer, { primaryKey: true }),
    name: column(String(20)),
    deptId: column(Integer, { nullable: true, foreignKey: "r7s_pud_depts.id" }),
    dept: relationship<Dept | null>("Dept", { foreignKey: "deptId", backPopulates: "staff" }),
  },
  { registry },
) {}
/** The same cycle, its models declared the other way round. */
class Owner extends model(
  "r7s_pud_owners",
  {
    id: column(Integer, { primaryKey: true }),
    teamId: column(Integer, { nullable: true, foreignKey: "r7s_pud_teams.id" }),
    team: relationship<Team | null>("Team", { foreignKey: "teamId" }),
  },
  { registry },
) {}
class Team extends model(
  "r7s_pud_teams",
  {
    id: column(Integer, { primaryKey: true }),
    ownerId: column(Integer, { nullable: true, foreignKey: "r7s_pud_owners.id" }),
    owner: relationship<Owner | null>("Owner", { foreignKey: "ownerId", postUpdate: true }),
  },
  { registry },
) {}
registry.registerModels(Dept, Person, Owner, Team)

for (const fixture of [neonFixture("http", ws), libsqlHttpFixture()]) {
  describe(`deleting both rows of a postUpdate cycle on ${fixture.name}`, () => {
    const scope = `r7s-pud-${fixture.name}-${Date.now().toString(36)}`
    const engine = fixture.engine(scope)
    freshSchema(engine, registry.metadata)
    const stats = async () => (await fixture.stats(scope)) ?? { httpRequests: 0, statements: 0 }
    const left = async () => {
      await using check = new AsyncSession(engine)
      const depts = (await check.scalars(select(Dept))).all().length
      const people = (await check.scalars(select(Person))).all().length
      return [depts, people]
    }

    it("a department and its head, deleted together in the commit's one request", async () => {
      await using session = new AsyncSession(engine)
      const dept = new Dept({ name: "d" })
      const head = new Person({ name: "h" })
      dept.staff.push(head)
      dept.head = head
      session.add(dept)
      await session.commit()
      expect([dept.headId, head.deptId]).toEqual([head.id, dept.id])
      session.delete(dept)
      session.delete(head)
      const before = await stats()
      await session.commit()
      const after = await stats()
      expect(after.httpRequests - before.httpRequests).toBe(1)
      expect([inspect(dept).state, inspect(head).state]).toEqual(["detached", "detached"])
      expect(await left()).toEqual([0, 0])
    })

    it("loaded afresh, its relationships unloaded: the head goes with the department by its cascade", async () => {
      await using seed = new AsyncSession(engine)
      const dept = new Dept({ name: "d2" })
      const head = new Person({ name: "h2" })
      dept.staff.push(head, new Person({ name: "other" }))
      dept.head = head
      seed.add(dept)
      await seed.commit()
      await using session = new AsyncSession(engine)
      const loaded = await session.get(Dept, dept.id)
      if (!loaded) throw new Error("no department")
      await session.refresh(loaded, ["staff"])
      session.delete(loaded)
      await session.commit()
      expect(await left()).toEqual([0, 0])
    })

    it("declared the other way round", async () => {
      await using session = new AsyncSession(engine)
      const owner = new Owner({})
      const team = new Team({})
      owner.team = team
      team.owner = owner
      session.addAll([owner, team])
      await session.commit()
      expect([owner.teamId, team.ownerId]).toEqual([team.id, owner.id])
      session.delete(owner)
      session.delete(team)
      await session.commit()
      await using check = new AsyncSession(engine)
      expect((await check.scalars(select(Team))).all()).toEqual([])
      expect((await check.scalars(select(Owner))).all()).toEqual([])
    })
  })
}
