// `session.refresh(post, ["title"])` reloads the title only, as SQLAlchemy's refresh with attribute
// names: the other columns keep their values and unflushed changes. Before, the whole row replaced every
// column, so with autoflush off an unflushed change to another column was silently lost (and a commit
// then wrote nothing for it).
import { describe, expect, it } from "vitest"
import ws from "ws"
import { AsyncSession, InvalidRequestError, insert, ReadSession, update } from "../../src/index.ts"
import { libsqlHttpFixture, neonFixture } from "../engine/transports.ts"
import { freshSchema } from "../orm/fresh-schema.ts"
import { r5Models } from "./models.ts"

const { R5Post, R5User, registry } = r5Models("r5r_rf")
type R5Post = InstanceType<typeof R5Post>

for (const fixture of [neonFixture("http", ws), neonFixture("websocket", ws), libsqlHttpFixture()]) {
  describe(`refresh of named columns on ${fixture.name}`, () => {
    const engine = fixture.engine(`r5r-rf-${fixture.name}-${Date.now().toString(36)}`)
    freshSchema(engine, registry.metadata)

    async function seeded(id: number): Promise<void> {
      await using seed = new AsyncSession(engine)
      await seed.execute(insert(R5User).values([{ id: 10 * id, name: "a", managerId: null }]))
      await seed.execute(insert(R5User).values([{ id: 10 * id + 1, name: "b", managerId: null }]))
      await seed.execute(insert(R5Post).values([{ id, title: "stored", userId: 10 * id }]))
      await seed.commit()
    }

    async function stored(id: number): Promise<[string, number | null]> {
      await using check = new ReadSession(engine)
      const post = (await check.get(R5Post, id)) as R5Post
      return [post.title, post.userId]
    }

    for (const autoflush of [false, true]) {
      it(`keeps another column's unflushed change, which the commit then writes (autoflush ${autoflush})`, async () => {
        const id = autoflush ? 2 : 1
        await seeded(id)
        await using session = new AsyncSession(engine, { autoflush })
        const post = (await session.get(R5Post, id)) as R5Post
        post.title = "dropped"
        post.userId = 10 * id + 1
        await session.refresh(post, ["title"])
        expect([post.title, post.userId]).toEqual(["stored", 10 * id + 1])
        await session.commit()
        expect(await stored(id)).toEqual(["stored", 10 * id + 1])
      })
    }

    it("refuses an object of another session before flushing anything", async () => {
      await seeded(5)
      await using elsewhere = new AsyncSession(engine)
      const foreign = (await elsewhere.get(R5Post, 5)) as R5Post
      const counted = engine.child()
      let statements = 0
      counted.on("statement", () => {
        statements++
      })
      await using session = new AsyncSession(counted)
      session.add(new R5User({ id: 500, name: "pending", managerId: null }))
      await expect(session.refresh(foreign, ["title"])).rejects.toThrow(InvalidRequestError)
      expect(statements).toBe(0)
    })

    it("leaves a column not named as it was, though the row changed, and writes nothing for it", async () => {
      await seeded(3)
      await using session = new AsyncSession(engine, { autoflush: false })
      const post = (await session.get(R5Post, 3)) as R5Post
      {
        await using other = new AsyncSession(engine)
        await other.execute(update(R5Post).where(R5Post.id.eq(3)).values({ title: "theirs", userId: 31 }))
        await other.commit()
      }
      await session.refresh(post, ["title"])
      expect([post.title, post.userId]).toEqual(["theirs", 30])
      expect(session.isModified(post)).toBe(false)
      await session.refresh(post)
      expect([post.title, post.userId]).toEqual(["theirs", 31])
    })

    it("an expired object keeps its other columns expired: the next query reloads them", async () => {
      await seeded(4)
      await using session = new AsyncSession(engine, { autoflush: false, expireOnCommit: true })
      const post = (await session.get(R5Post, 4)) as R5Post
      await session.commit()
      {
        await using other = new AsyncSession(engine)
        await other.execute(update(R5Post).where(R5Post.id.eq(4)).values({ title: "theirs", userId: 41 }))
        await other.commit()
      }
      await session.refresh(post, ["title"])
      expect(post.title).toBe("theirs")
      expect(await session.get(R5Post, 4)).toBe(post)
      expect(post.userId).toBe(41)
    })
  })
}
