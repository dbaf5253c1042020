// A bulk UPDATE of a parent's primary key while the session holds its children: the database's ON
// UPDATE action on the children's foreign key changes their rows too (CASCADE: the new key; SET NULL:
// no parent), and the held children must say so, their key columns and loaded relationships alike.
// Before, a child kept the old key, and with SET NULL still sat in the parent's loaded collection and
// named it as its parent: deleting the parent with a delete cascade deleted the children the database
// had already let go. ("fetch" cannot follow a primary key update; "auto" evaluates it.)
import { describe, expect, it } from "vitest"
import ws from "ws"
import {
  AsyncSession,
  column,
  deleteFrom,
  Integer,
  model,
  Registry,
  relationship,
  String,
  select,
  selectinload,
  table,
  update,
} from "../../src/index.ts"
import type { SynchronizeSession } from "../../src/orm/bulk-sync.ts"
import { libsqlHttpFixture, neonFixture } from "../engine/transports.ts"
import { freshSchema } from "../orm/fresh-schema.ts"

const registry = new Registry()
const teamTags = table(
  "r5k_pk_team_tags",
  {
    teamId: column(Integer, {
      primaryKey: true,
      foreignKey: { references: "r5k_pk_teams.id", onUpdate: "CASCADE" },
    }),
    tagId: column(Integer, { primaryKey: true, foreignKey: "r5k_pk_tags.id" }),
  },
  { metadata: registry.metadata },
)
class Team extends model(
  "r5k_pk_teams",
  {
    id: column(Integer, { primaryKey: true }),
    name: column(String(20)),
    members: relationship<Member[]>("Member", { backPopulates: "team", cascade: ["save-update", "delete"] }),
    tags: relationship<Tag[]>("Tag", { secondary: teamTags, backPopulates: "teams" }),
  },
  { registry },
) {}
class Member extends model(
  "r5k_pk_members",
  {
    id: column(Integer, { primaryKey: true }),
    name: column(String(20)),
    teamId: column(Integer, { foreignKey: { references: "r5k_pk_teams.id", onUpdate: "CASCADE" } }),
    team: relationship<Team>("Team", { backPopulates: "members" }),
  },
  { registry },
) {}
class Tag extends model(
  "r5k_pk_tags",
  {
    id: column(Integer, { primaryKey: true }),
    teams: relationship<Team[]>("Team", { secondary: teamTags, backPopulates: "tags" }),
  },
  { registry },
) {}
class Desk extends model(
  "r5k_pk_desks",
  {
    id: column(Integer, { primaryKey: true }),
    seats: relationship<Seat[]>("Seat", { backPopulates: "desk", cascade: ["save-update", "delete"] }),
  },
  { registry },
) {}
class Seat extends model(
  "r5k_pk_seats",
  {
    id: column(Integer, { primaryKey: true }),
    deskId: column(Integer, {
      nullable: true,
      foreignKey: { references: "r5k_pk_desks.id", onUpdate: "SET NULL" },
    }),
    desk: relationship<Desk | null>("Desk", { backPopulates: "seats" }),
  },
  { registry },
) {}
registry.registerModels(Team, Member, Tag, Desk, Seat)

const MODES: SynchronizeSession[] = ["auto", "evaluate"]

for (const fixture of [neonFixture("http", ws), neonFixture("websocket", ws), libsqlHttpFixture()]) {
  describe(`a bulk UPDATE of a parent's primary key with held children, on ${fixture.name}`, () => {
    const scope = `r5k-pk-${fixture.name}-${Date.now().toString(36)}`
    const engine = fixture.engine(scope)
    freshSchema(engine, registry.metadata)

    /** Team 1 with members 1, 2 and tag 1; desk 1 with seats 1, 2; all loaded both ways. */
    async function seeded(session: AsyncSession) {
      {
        await using s = new AsyncSession(engine)
        await s.execute(deleteFrom(teamTags))
        for (const model of [Member, Team, Tag, Seat, Desk])
          await s.execute(deleteFrom(model), { synchronizeSession: false })
        s.add(
          new Team({
            id: 1,
            name: "t",
            members: [new Member({ id: 1, name: "a" }), new Member({ id: 2, name: "b" })],
            tags: [new Tag({ id: 1 })],
          }),
        )
        s.add(new Desk({ id: 1, seats: [new Seat({ id: 1 }), new Seat({ id: 2 })] }))
        await s.commit()
      }
      const team = (
        await session.scalars(
          select(Team).options(
            selectinload(Team.members).selectinload(Member.team),
            selectinload(Team.tags).selectinload(Tag.teams),
          ),
        )
      ).one() as Team
      const desk = (
        await session.scalars(select(Desk).options(selectinload(Desk.seats).selectinload(Seat.desk)))
      ).one() as Desk
      return { team, desk, members: [...team.members], seats: [...desk.seats], tag: team.tags[0] as Tag }
    }

    async function rows() {
      await using r = new AsyncSession(engine)
      const all = async (statement: Parameters<AsyncSession["execute"]>[0]) =>
        (await r.execute(statement)).all().map((row) => [...(row as unknown as unknown[])])
      return {
        teams: await all(select(Team.id).orderBy(Team.id)),
        members: await all(select(Member.id, Member.teamId).orderBy(Member.id)),
        links: await all(select(teamTags.c.teamId, teamTags.c.tagId)),
        desks: await all(select(Desk.id).orderBy(Desk.id)),
        seats: await all(select(Seat.id, Seat.deskId).orderBy(Seat.id)),
      }
    }

    for (const mode of MODES) {
      it(`(${mode}) ON UPDATE CASCADE: the children get the new key and keep their links; nothing to write`, async () => {
        await using session = new AsyncSession(engine)
        const { team, members, tag } = await seeded(session)
        await session.execute(update(Team).where(Team.id.eq(1)).values({ id: 10 }), {
          synchronizeSession: mode,
        })
        expect(members.map((m) => [m.teamId, m.team === team])).toEqual([
          [10, true],
          [10, true],
        ])
        expect(team.members).toEqual(members)
        expect([team.tags, tag.teams]).toEqual([[tag], [team]])
        const before = (await fixture.stats(scope))?.statements
        expect(before).toBeGreaterThan(0)
        await session.commit()
        expect((await fixture.stats(scope))?.statements).toBe(before)
        // A later write of a child writes the key the row has.
        const [first] = members as [Member]
        first.name = "a2"
        await session.commit()
        expect(await session.get(Member, 1)).toBe(first)
        expect(await rows()).toMatchObject({
          teams: [[10]],
          members: [
            [1, 10],
            [2, 10],
          ],
          links: [[10, 1]],
        })
      })

      it(`(${mode}) ON UPDATE SET NULL: the children let go of the parent; deleting it leaves them`, async () => {
        await using session = new AsyncSession(engine)
        const { desk, seats } = await seeded(session)
        await session.execute(update(Desk).where(Desk.id.eq(1)).values({ id: 10 }), {
          synchronizeSession: mode,
        })
        expect(seats.map((s) => [s.deskId, s.desk])).toEqual([
          [null, null],
          [null, null],
        ])
        expect(desk.seats).toEqual([])
        await session.delete(desk)
        await session.commit()
        expect(await rows()).toMatchObject({
          desks: [],
          seats: [
            [1, null],
            [2, null],
          ],
        })
      })
    }

    it("(auto) inside a transaction that rolls back: the children get the old key back", async () => {
      await using session = new AsyncSession(engine)
      const { team, members, seats } = await seeded(session)
      await session.begin()
      await session.execute(update(Team).where(Team.id.eq(1)).values({ id: 10 }))
      await session.execute(update(Desk).where(Desk.id.eq(1)).values({ id: 10 }))
      expect([...members, ...seats].map((o) => ("teamId" in o ? o.teamId : o.deskId))).toEqual([
        10,
        10,
        null,
        null,
      ])
      await session.rollback()
      expect([team.id, ...members.map((m) => m.teamId), ...seats.map((s) => s.deskId)]).toEqual([
        1, 1, 1, 1, 1,
      ])
      expect(await session.get(Team, 1)).toBe(team)
      // Relationships unloaded by the rollback, as SQLAlchemy expires them; refresh() loads them.
      await session.refresh(team, ["members"])
      expect(team.members.map((m) => m.id).sort()).toEqual([1, 2])
      await session.delete(team)
      await session.commit()
      expect(await rows()).toMatchObject({ teams: [], members: [], desks: [[1]] })
    })

    it(`("fetch") is refused for a primary key update, before anything is sent`, async () => {
      await using session = new AsyncSession(engine)
      const { members } = await seeded(session)
      await expect(
        session.execute(update(Team).where(Team.id.eq(1)).values({ id: 10 }), {
          synchronizeSession: "fetch",
        }),
      ).rejects.toThrow(/cannot follow an UPDATE of r5k_pk_teams's primary key/)
      expect((await rows()).teams).toEqual([[1]])
      expect(members.map((m) => m.teamId)).toEqual([1, 1])
    })
  })
}
