// Assigning a many-to-many collection that was never loaded (`post.tags = [t3]` on a reference) replaces
// the rows the database has: the flush deletes the post's other links. A loaded other side the post was
// pushed into just before (`t2.posts.push(post)`) kept listing it, where the database no longer had that
// link: memory and database disagreed. SQLAlchemy loads the old members to fire their remove events, so
// the other side loses it; here the flush that replaces the links takes the post out of the loaded
// other sides it does not keep.
import { describe, expect, it } from "vitest"
import ws from "ws"
import { AsyncSession, insert, select, selectinload, text } from "../../src/index.ts"
import { libsqlHttpFixture, neonFixture } from "../engine/transports.ts"
import { freshSchema } from "../orm/fresh-schema.ts"
import { relationModels } from "../review-day9-relations/models.ts"

const { registry, Post, Tag } = relationModels("r9rel2_m2m")

for (const fixture of [neonFixture("http", ws), libsqlHttpFixture()]) {
  describe(`a never-loaded many-to-many assigned after a push into a loaded side, on ${fixture.name}`, () => {
    const engine = fixture.engine(`r9rel2-m2m-${fixture.name}-${Date.now().toString(36)}`)
    freshSchema(engine, registry.metadata)

    const seed = async () => {
      await engine.execute(text("DELETE FROM r9rel2_m2m_post_tags"))
      await engine.execute(text("DELETE FROM r9rel2_m2m_posts"))
      await engine.execute(text("DELETE FROM r9rel2_m2m_tags"))
      await engine.execute(insert(Post).values({ id: 1, title: "p" }))
      for (const id of [1, 2, 3]) await engine.execute(insert(Tag).values({ id, name: `t${id}` }))
      await engine.execute(text('INSERT INTO r9rel2_m2m_post_tags ("postId", "tagId") VALUES (1, 1)'))
    }
    const links = async () =>
      (await engine.execute(text('SELECT "postId", "tagId" FROM r9rel2_m2m_post_tags ORDER BY "tagId"')))
        .all()
        .map((row) => [...row].map(Number))

    it("leaves the pushed-into side without the post once the flush replaced its links", async () => {
      await seed()
      await using session = new AsyncSession(engine)
      const tags = (await session.scalars(select(Tag).options(selectinload(Tag.posts)).orderBy(Tag.id))).all()
      const [t1, t2, t3] = tags as [
        InstanceType<typeof Tag>,
        InstanceType<typeof Tag>,
        InstanceType<typeof Tag>,
      ]
      const post = session.reference(Post, { id: 1 })
      expect(t1.posts).toEqual([post])
      t2.posts.push(post)
      post.tags = [t3]
      await session.commit()
      expect(await links()).toEqual([[1, 3]])
      // Was: t2 (and t1) still listed the post.
      expect(t2.posts).toEqual([])
      expect(t1.posts).toEqual([])
      expect(t3.posts).toEqual([post])
      // The next commit writes nothing back from the stale lists.
      t3.name = "t3b"
      await session.commit()
      expect(await links()).toEqual([[1, 3]])
    })
  })
}
