// Collections changed by index writes / length, linked at flush.
import { describe, expect, it } from "vitest"
import { AsyncSession, type Engine, select, selectinload } from "../../src/index.ts"
import { RvChild, RvParent, RvPost, RvTag } from "./models.ts"

let next = 5000
const id = () => ++next

/** Run by ./day-review.test.ts on each database, over its schema. */
export function unitOfWorkCases(engine: Engine): void {
  describe("review uow", () => {
    async function parentWith(n: number): Promise<[number, number[]]> {
      await using s = new AsyncSession(engine)
      const p = new RvParent({ id: id(), name: "p" })
      const ids: number[] = []
      for (let i = 0; i < n; i++) {
        const c = new RvChild({ id: id(), label: `c${i}`, parent: p })
        ids.push(c.id)
      }
      s.add(p)
      await s.commit()
      return [p.id, ids]
    }

    it("a child pushed then replaced by an index write in the same flush is not linked", async () => {
      const [pid] = await parentWith(1)
      await using s = new AsyncSession(engine)
      const p = (await s.scalar(
        select(RvParent).where(RvParent.id.eq(pid)).options(selectinload(RvParent.children)),
      ))!
      const pushed = new RvChild({ id: id(), label: "pushed" })
      p.children.push(pushed)
      const replacement = new RvChild({ id: id(), label: "replacement" })
      p.children[1] = replacement
      s.add(pushed) // still wanted as a row of its own
      await s.commit()
      await using r = new AsyncSession(engine)
      const read = (await r.scalar(
        select(RvParent).where(RvParent.id.eq(pid)).options(selectinload(RvParent.children)),
      ))!
      expect(read.children.map((c) => c.label).sort()).toEqual(["c0", "replacement"])
      // As splice would have left it (SQLAlchemy's __setitem__ fires a remove): pushed is out of p.
      expect((await r.get(RvChild, pushed.id))?.parentId).toBeNull()
      expect(pushed.parent).toBeNull()
    })

    it("a pending parent's collection emptied by length = 0 after push links nothing", async () => {
      await using s = new AsyncSession(engine)
      const p = new RvParent({ id: id(), name: "pending" })
      s.add(p)
      const c = new RvChild({ id: id(), label: "gone" })
      p.children.push(c)
      p.children.length = 0
      s.add(c)
      await s.commit()
      await using r = new AsyncSession(engine)
      expect((await r.get(RvChild, c.id))?.parentId).toBeNull()
      expect(c.parent).toBeNull()
    })

    it("a many-to-many tag pushed then cleared by length = 0 gets no link row", async () => {
      await using s = new AsyncSession(engine)
      const post = new RvPost({ id: id(), title: "t" })
      s.add(post)
      await s.commit()
      await s.refresh(post, ["tags"])
      const tag = new RvTag({ id: id(), name: "tag" })
      post.tags.push(tag)
      post.tags.length = 0
      s.add(tag)
      await s.commit()
      await using r = new AsyncSession(engine)
      const read = (await r.scalar(
        select(RvPost).where(RvPost.id.eq(post.id)).options(selectinload(RvPost.tags)),
      ))!
      expect(read.tags).toEqual([])
      expect(tag.posts).toEqual([])
    })

    it("an index write in a failed flush is written by the retry", async () => {
      const [pid, [cid]] = await parentWith(1)
      await using s = new AsyncSession(engine)
      const p = (await s.scalar(
        select(RvParent).where(RvParent.id.eq(pid)).options(selectinload(RvParent.children)),
      ))!
      const old = p.children[0]!
      const dup = new RvChild({ id: cid!, label: "duplicate key" }) // fails the flush
      s.add(dup)
      p.children[0] = new RvChild({ id: id(), label: "new" })
      await expect(s.commit()).rejects.toThrow()
      s.expunge(dup)
      await s.commit()
      expect(old.parent).toBeNull()
      await using r = new AsyncSession(engine)
      const read = (await r.scalar(
        select(RvParent).where(RvParent.id.eq(pid)).options(selectinload(RvParent.children)),
      ))!
      expect(read.children.map((c) => c.label)).toEqual(["new"])
      expect((await r.get(RvChild, cid!))?.parentId).toBeNull()
    })
  })
}
