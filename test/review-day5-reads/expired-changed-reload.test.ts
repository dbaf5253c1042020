// An object expired by a commit (`expireOnCommit`) whose column the application then set: the next row
// read for it (a query, `get`) must reload its other columns, keeping only the one set, as SQLAlchemy
// loads an expired object's expired attributes. Before, the object kept every column as it was before
// the commit (stale: another writer's change stayed invisible) and `get` did not even ask.
import { describe, expect, it } from "vitest"
import ws from "ws"
import { AsyncSession, insert, ReadSession, select, update } from "../../src/index.ts"
import { libsqlHttpFixture, neonFixture } from "../engine/transports.ts"
import { freshSchema } from "../orm/fresh-schema.ts"
import { r5Models } from "./models.ts"

const { R5Post, R5User, registry } = r5Models("r5r_exp")
type R5Post = InstanceType<typeof R5Post>

for (const fixture of [neonFixture("http", ws), neonFixture("websocket", ws), libsqlHttpFixture()]) {
  describe(`an expired object changed since, read again on ${fixture.name}`, () => {
    const engine = fixture.engine(`r5r-exp-${fixture.name}-${Date.now().toString(36)}`)
    freshSchema(engine, registry.metadata)

    /** A post loaded and committed (so expired), then changed elsewhere: its title and author. */
    async function expiredAndChangedElsewhere(session: AsyncSession, id: number): Promise<R5Post> {
      {
        await using seed = new AsyncSession(engine)
        await seed.execute(insert(R5User).values([{ id: 10 * id, name: "a", managerId: null }]))
        await seed.execute(insert(R5User).values([{ id: 10 * id + 1, name: "b", managerId: null }]))
        await seed.execute(insert(R5Post).values([{ id, title: "before", userId: 10 * id }]))
        await seed.commit()
      }
      const post = (await session.get(R5Post, id)) as R5Post
      await session.commit()
      await using other = new AsyncSession(engine)
      await other.execute(
        update(R5Post)
          .where(R5Post.id.eq(id))
          .values({ title: "theirs", userId: 10 * id + 1 }),
      )
      await other.commit()
      return post
    }

    it("a query reloads the columns the application did not set, and the flush writes only the one it did", async () => {
      await using session = new AsyncSession(engine, { expireOnCommit: true, autoflush: false })
      const post = await expiredAndChangedElsewhere(session, 1)
      post.title = "mine"
      const [read] = (await session.scalars(select(R5Post).where(R5Post.id.eq(1)))).all()
      expect(read).toBe(post)
      expect([post.title, post.userId]).toEqual(["mine", 11])
      expect(session.isModified(post)).toBe(true)
      await session.commit()
      await using check = new ReadSession(engine)
      const stored = (await check.get(R5Post, 1)) as R5Post
      expect([stored.title, stored.userId]).toEqual(["mine", 11])
    })

    it("get() reads the row again for it, and keeps the column set", async () => {
      await using session = new AsyncSession(engine, { expireOnCommit: true, autoflush: false })
      const post = await expiredAndChangedElsewhere(session, 2)
      post.title = "mine"
      expect(await session.get(R5Post, 2)).toBe(post)
      expect([post.title, post.userId]).toEqual(["mine", 21])
    })

    it("populateExisting still overwrites the column set", async () => {
      await using session = new AsyncSession(engine, { expireOnCommit: true, autoflush: false })
      const post = await expiredAndChangedElsewhere(session, 3)
      post.title = "mine"
      await session.scalars(select(R5Post).where(R5Post.id.eq(3)), { populateExisting: true })
      expect([post.title, post.userId]).toEqual(["theirs", 31])
      expect(session.isModified(post)).toBe(false)
    })
  })
}
