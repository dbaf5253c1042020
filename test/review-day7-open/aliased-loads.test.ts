// Loader options could not reach an aliased entity's relationships: `aliased(User)` had no `posts`, and
// `selectinload(User.posts)` applied to the first entity of the model in the select list, so in
// `select(boss, User)` it loaded the boss's posts and left the user's unloaded. SQLAlchemy matches an
// option to the entity its path starts from: `boss.posts` to boss, `User.posts` to User itself.
import { describe, expect, it } from "vitest"
import ws from "ws"
import {
  AsyncSession,
  aliased,
  InvalidRequestError,
  insert,
  joinedload,
  NotLoadedError,
  raiseload,
  select,
  selectinload,
} from "../../src/index.ts"
import { libsqlHttpFixture, neonFixture } from "../engine/transports.ts"
import { freshSchema } from "../orm/fresh-schema.ts"
import { r5Models } from "../review-day5-reads/models.ts"

const { R5Post, R5User, registry } = r5Models("r7o_aload")
type User = InstanceType<typeof R5User>

/** What reading a relationship gives: its value, or "unloaded". */
const read = <T>(get: () => T): T | "unloaded" => {
  try {
    return get()
  } catch (error) {
    if (error instanceof NotLoadedError) return "unloaded"
    throw error
  }
}
const titles = (user: User) => read(() => user.posts.map((post) => post.title).sort())
const managerName = (user: User) => read(() => user.manager?.name ?? null)

for (const fixture of [neonFixture("http", ws), libsqlHttpFixture()]) {
  describe(`loader options on aliased entities on ${fixture.name}`, () => {
    const engine = fixture.engine(`r7o-aload-${fixture.name}-${Date.now().toString(36)}`)
    freshSchema(engine, registry.metadata)

    it("seeds", async () => {
      await using session = new AsyncSession(engine)
      await session.execute(
        insert(R5User).values([
          { id: 1, name: "ada", managerId: null },
          { id: 2, name: "bob", managerId: 1 },
          { id: 3, name: "cy", managerId: 2 },
        ]),
      )
      await session.execute(
        insert(R5Post).values([
          { id: 10, title: "ada's", userId: 1 },
          { id: 11, title: "bob's", userId: 2 },
          { id: 12, title: "cy's", userId: 3 },
        ]),
      )
      await session.commit()
    })

    const employeesWithBosses = () => {
      const boss = aliased(R5User, "r7o_boss")
      return { boss, query: select(R5User, boss).join(boss, R5User.managerId.eq(boss.id)).orderBy(R5User.id) }
    }

    it("selectinload(boss.posts) loads the bosses' posts, and only theirs", async () => {
      await using session = new AsyncSession(engine)
      const { boss, query } = employeesWithBosses()
      const rows = (await session.execute(query.options(selectinload(boss.posts)))).all()
      expect(rows.map(([user, manager]) => [user.name, manager.name])).toEqual([
        ["bob", "ada"],
        ["cy", "bob"],
      ])
      // bob is both an employee (row 1) and a boss (row 2): one object, loaded as a boss.
      const [[, ada], [cy, bob]] = rows as [[User, User], [User, User]]
      expect(titles(ada)).toEqual(["ada's"])
      expect(titles(bob)).toEqual(["bob's"])
      expect(titles(cy)).toBe("unloaded")
    })

    it("selectinload(User.posts) loads the employees' posts, not the first entity of the model", async () => {
      await using session = new AsyncSession(engine)
      const { boss } = employeesWithBosses()
      // The alias first: the option still belongs to User itself.
      const query = select(boss, R5User).join(R5User, R5User.managerId.eq(boss.id)).orderBy(R5User.id)
      const rows = (await session.execute(query.options(selectinload(R5User.posts)))).all()
      const [[ada, bob], [, cy]] = rows as [[User, User], [User, User]]
      expect(titles(bob)).toEqual(["bob's"])
      expect(titles(cy)).toEqual(["cy's"])
      expect(titles(ada)).toBe("unloaded")
    })

    it("joinedload(boss.manager) joins from the alias", async () => {
      await using session = new AsyncSession(engine)
      const { boss, query } = employeesWithBosses()
      const rows = (await session.execute(query.options(joinedload(boss.manager)))).all()
      const [[bob, ada], [cy]] = rows as [[User, User], [User, User]]
      // bob is cy's boss: his manager is ada; ada has none.
      expect(managerName(bob)).toBe("ada")
      expect(managerName(ada)).toBeNull()
      expect(managerName(cy)).toBe("unloaded")
    })

    it("a path from the alias goes on: selectinload(boss.posts).joinedload(Post.author)", async () => {
      await using session = new AsyncSession(engine)
      const { boss, query } = employeesWithBosses()
      const rows = (
        await session.execute(query.options(selectinload(boss.posts).joinedload(R5Post.author)))
      ).all()
      const [[, ada]] = rows as [[User, User]]
      expect(read(() => ada.posts[0]?.author?.name)).toBe("ada")
    })

    it("raiseload(boss.posts) keeps the bosses' posts unloaded, whatever else loads", async () => {
      await using session = new AsyncSession(engine)
      const { boss, query } = employeesWithBosses()
      const rows = (await session.execute(query.options(raiseload(boss.posts)))).all()
      expect(titles((rows[0] as [User, User])[1])).toBe("unloaded")
    })

    it("join(boss.posts) and boss.posts.any() start from the alias", async () => {
      await using session = new AsyncSession(engine)
      const { boss } = employeesWithBosses()
      const bossTitles = await session.scalars(
        select(R5Post.title)
          .selectFrom(R5User)
          .join(boss, R5User.managerId.eq(boss.id))
          .join(boss.posts)
          .where(R5User.id.eq(3)),
      )
      expect(bossTitles.all()).toEqual(["bob's"])
      const managed = await session.scalars(
        select(R5User.id)
          .join(boss, R5User.managerId.eq(boss.id))
          .where(boss.posts.any(R5Post.title.eq("ada's"))),
      )
      expect(managed.all()).toEqual([2])
    })

    it("an option from an alias the query does not select is refused, before anything is sent", async () => {
      await using session = new AsyncSession(engine)
      const other = aliased(R5User)
      const { query } = employeesWithBosses()
      await expect(session.execute(query.options(selectinload(other.posts)))).rejects.toThrow(
        InvalidRequestError,
      )
      await expect(session.execute(query.options(selectinload(other.posts)))).rejects.toThrow(
        /does not apply to any entity/,
      )
    })

    it("a model's option with two aliases of it and no model of its own is refused as ambiguous", async () => {
      await using session = new AsyncSession(engine)
      const a = aliased(R5User)
      const b = aliased(R5User)
      const query = select(a, b).join(b, a.managerId.eq(b.id))
      await expect(session.execute(query.options(selectinload(R5User.posts)))).rejects.toThrow(
        /selectinload\(R5User\.posts\) could apply to 2 aliases of R5User.*start it from one of them/,
      )
    })

    it("an aliased entity's attribute only starts a path", async () => {
      await using session = new AsyncSession(engine)
      const { boss } = employeesWithBosses()
      const query = select(R5Post).options(selectinload(R5Post.author).selectinload(boss.posts))
      await expect(session.execute(query)).rejects.toThrow(
        /can only start a path; continue it with R5User.posts/,
      )
    })
  })
}

for (const fixture of [neonFixture("http", ws), libsqlHttpFixture()]) {
  describe(`loader options on entities over a subquery or CTE on ${fixture.name}`, () => {
    const engine = fixture.engine(`r7o-aload2-${fixture.name}-${Date.now().toString(36)}`)
    freshSchema(engine, registry.metadata)

    it("seeds", async () => {
      await using session = new AsyncSession(engine)
      await session.execute(
        insert(R5User).values([
          { id: 1, name: "ada", managerId: null },
          { id: 2, name: "bob", managerId: 1 },
        ]),
      )
      await session.execute(insert(R5Post).values([{ id: 11, title: "bob's", userId: 2 }]))
      await session.commit()
    })

    for (const shape of ["subquery", "cte"] as const) {
      it(`selectinload and joinedload from aliased(User, ${shape})`, async () => {
        await using session = new AsyncSession(engine)
        const narrowed = select(R5User).where(R5User.id.eq(2))
        const bob = aliased(R5User, shape === "cte" ? narrowed.cte() : narrowed.subquery())
        const [user] = (
          await session.scalars(select(bob).options(selectinload(bob.posts), joinedload(bob.manager)))
        ).all() as [User]
        expect(titles(user)).toEqual(["bob's"])
        expect(managerName(user)).toBe("ada")
        // Twice in one statement: the same CTE or subquery read by the query and by its loads.
        const posts = await session.scalars(
          select(R5Post).join(bob, R5Post.userId.eq(bob.id)).options(selectinload(R5Post.author)),
        )
        expect(posts.all().map((post) => read(() => post.author?.name))).toEqual(["bob"])
      })
    }
  })
}
