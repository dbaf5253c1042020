// Mapper and session events, hybrids and validators against SQLAlchemy 2.0's semantics, on both databases
// (tables ev_*): the cases an attack found wrong failed before their fixes.
import { describe, expect, it } from "vitest"
import ws from "ws"
import {
  AsyncSession,
  deleteFrom,
  IntegrityError,
  listen,
  select,
  selectinload,
  update,
  validates,
} from "../../src/index.ts"
import { libsqlHttpFixture, neonFixture, type TransportFixture } from "../engine/transports.ts"
import { freshSchema } from "../orm/fresh-schema.ts"
import { EvAudit, EvItem, EvPost, EvTag, EvUser, registry } from "./models.ts"
import { hybridSetCases, moreCases, uniqueCases } from "./more-cases.ts"

const fixtures: TransportFixture[] = [neonFixture("http", ws), libsqlHttpFixture()]
let n = 0
const uniq = (p: string) => `${p}-${++n}-${Math.random().toString(36).slice(2, 8)}`

for (const fixture of fixtures) {
  describe(`events attack on ${fixture.name}`, () => {
    const engine = fixture.engine(`ev-${fixture.name}-${Date.now().toString(36)}`)
    freshSchema(engine, registry.metadata)
    moreCases(engine)
    hybridSetCases(engine)
    uniqueCases(engine)

    async function storedUser(): Promise<number> {
      await using s = new AsyncSession(engine)
      const u = new EvUser({ name: uniq("u") })
      s.add(u)
      await s.commit()
      return u.id
    }
    async function storedPost(userId: number | null = null): Promise<number> {
      await using s = new AsyncSession(engine)
      const p = new EvPost({ title: uniq("p"), userId })
      s.add(p)
      await s.commit()
      return p.id
    }
    async function read<T>(fn: (s: AsyncSession) => Promise<T>): Promise<T> {
      await using s = new AsyncSession(engine)
      return await fn(s)
    }

    // ---------- session events / failed flush retry ----------

    it("beforeFlush counter change is undone by a failed commit: the retry counts once", async () => {
      const uid = await storedUser()
      const taken = await read(async (s) => (await s.get(EvPost, await storedPost()))!.title)
      await using s = new AsyncSession(engine)
      const user = (await s.get(EvUser, uid))!
      const post = new EvPost({ title: taken, author: user })
      s.add(post)
      s.on("beforeFlush", () => {
        user.postCount += 1
      })
      await expect(s.commit()).rejects.toBeInstanceOf(IntegrityError)
      post.title = uniq("fresh")
      await s.commit()
      const count = await read(async (r) => (await r.get(EvUser, uid))!.postCount)
      expect(count).toBe(1)
    })

    it("beforeInsert listener changing a persistent object is undone by a failed commit", async () => {
      const uid = await storedUser()
      const taken = await read(async (s) => (await s.get(EvPost, await storedPost()))!.title)
      const stop = listen(EvPost, "beforeInsert", (post) => {
        if (post.author) post.author.postCount += 1
      })
      try {
        await using s = new AsyncSession(engine)
        const user = (await s.get(EvUser, uid))!
        const post = new EvPost({ title: taken, author: user })
        s.add(post)
        await expect(s.commit()).rejects.toBeInstanceOf(IntegrityError)
        post.title = uniq("fresh")
        await s.commit()
        const count = await read(async (r) => (await r.get(EvUser, uid))!.postCount)
        expect(count).toBe(1)
      } finally {
        stop()
      }
    })

    it("beforeFlush adding an audit row to a commit that fails, in a begin() transaction, then rollback+retry writes one", async () => {
      const kind = uniq("k")
      const taken = await read(async (s) => (await s.get(EvPost, await storedPost()))!.title)
      await using s = new AsyncSession(engine)
      s.on("beforeFlush", () => s.add(new EvAudit({ kind, action: "flush" })))
      const post = new EvPost({ title: taken })
      s.add(post)
      await expect(s.flush()).rejects.toBeInstanceOf(IntegrityError)
      await s.rollback()
      post.title = uniq("fresh")
      s.add(post)
      await s.commit()
      const rows = await read(async (r) =>
        (await r.scalars(select(EvAudit).where(EvAudit.kind.eq(kind)))).all(),
      )
      expect(rows.length).toBe(1)
    })

    // ---------- what listeners see ----------

    // ---------- relationship-only changes ----------

    it("beforeUpdate fires on a post whose only change is its many-to-many tags (SQLAlchemy: dirty)", async () => {
      const pid = await storedPost()
      const fired: number[] = []
      const stop = listen(EvPost, "beforeUpdate", (post) => {
        fired.push(post.id)
        post.stamp = "touched"
      })
      try {
        await using s = new AsyncSession(engine)
        const post = (await s.scalar(
          select(EvPost).where(EvPost.id.eq(pid)).options(selectinload(EvPost.tags)),
        ))!
        post.tags.push(new EvTag({ name: uniq("t") }))
        await s.commit()
        expect(fired).toEqual([pid])
        const stamp = await read(async (r) => (await r.get(EvPost, pid))!.stamp)
        expect(stamp).toBe("touched")
      } finally {
        stop()
      }
    })

    it("beforeUpdate fires on a user whose only change is its one-to-many posts (SQLAlchemy: dirty)", async () => {
      const uid = await storedUser()
      const fired: number[] = []
      const stop = listen(EvUser, "beforeUpdate", (user) => {
        fired.push(user.id)
        user.stamp = "touched"
      })
      try {
        await using s = new AsyncSession(engine)
        const user = (await s.scalar(
          select(EvUser).where(EvUser.id.eq(uid)).options(selectinload(EvUser.posts)),
        ))!
        user.posts.push(new EvPost({ title: uniq("p") }))
        await s.commit()
        expect(fired).toEqual([uid])
        const stamp = await read(async (r) => (await r.get(EvUser, uid))!.stamp)
        expect(stamp).toBe("touched")
      } finally {
        stop()
      }
    })

    // ---------- listener writes ----------

    it("beforeUpdate changing another column, beforeInsert adding an audit, and listeners on cascaded objects", async () => {
      const kind = uniq("k")
      const stops = [
        listen(EvPost, "beforeUpdate", (post) => {
          post.stamp = `upd:${post.title}`
        }),
        listen(EvPost, "afterInsert", (post, { session, keyOf }) => {
          session.add(new EvAudit({ kind, entityId: keyOf(post) as number, action: "ins" }))
        }),
      ]
      try {
        await using s = new AsyncSession(engine)
        const user = new EvUser({ name: uniq("u") })
        const post = new EvPost({ title: uniq("p") })
        user.posts.push(post) // reached only by cascade
        s.add(user)
        await s.commit()
        post.title = uniq("p2")
        await s.commit()
        await using r = new AsyncSession(engine)
        const audits = (await r.scalars(select(EvAudit).where(EvAudit.kind.eq(kind)))).all()
        expect(audits.map((a) => a.entityId)).toEqual([post.id])
        expect((await r.get(EvPost, post.id))!.stamp).toBe(`upd:${post.title}`)
      } finally {
        for (const stop of stops) stop()
      }
    })

    it("a listener that deletes another object", async () => {
      const pid = await storedPost()
      const other = await storedPost()
      await using s = new AsyncSession(engine)
      const victim = (await s.get(EvPost, other))!
      const post = (await s.get(EvPost, pid))!
      const stop = listen(EvPost, "beforeUpdate", (p, { session }) => {
        if (p === post) (session as unknown as AsyncSession).delete(victim)
      })
      try {
        post.stamp = "y"
        await s.commit()
        expect(await read((r) => r.get(EvPost, other))).toBe(null)
      } finally {
        stop()
      }
    })

    it("bulk UPDATE and DELETE fire no mapper events", async () => {
      const pid = await storedPost()
      const fired: string[] = []
      const stops = (["beforeUpdate", "afterUpdate", "beforeDelete", "afterDelete"] as const).map((e) =>
        listen(EvPost, e, () => fired.push(e)),
      )
      try {
        await using s = new AsyncSession(engine)
        const post = (await s.get(EvPost, pid))!
        await s.execute(update(EvPost).where(EvPost.id.eq(pid)).values({ stamp: "bulk" }))
        expect(post.stamp).toBe("bulk")
        await s.execute(deleteFrom(EvPost).where(EvPost.id.eq(pid)))
        await s.commit()
        expect(fired).toEqual([])
      } finally {
        for (const stop of stops) stop()
      }
    })

    it("an exception in beforeUpdate fails the commit cleanly; the retry writes the change", async () => {
      const pid = await storedPost()
      let fail = true
      const kind = uniq("k")
      const stops = [
        listen(EvPost, "beforeUpdate", (post, { session }) => {
          session.add(new EvAudit({ kind, entityId: post.id, action: "upd" }))
        }),
        listen(EvPost, "afterUpdate", () => {
          if (fail) throw new Error("boom")
        }),
      ]
      try {
        await using s = new AsyncSession(engine)
        const post = (await s.get(EvPost, pid))!
        post.stamp = "z"
        await expect(s.commit()).rejects.toThrow("boom")
        expect(post.stamp).toBe("z")
        expect(post.version).toBe(1)
        fail = false
        await s.commit()
        await using r = new AsyncSession(engine)
        expect((await r.get(EvPost, pid))!.stamp).toBe("z")
        const audits = (await r.scalars(select(EvAudit).where(EvAudit.kind.eq(kind)))).all()
        expect(audits.length).toBe(1)
      } finally {
        for (const stop of stops) stop()
      }
    })

    // ---------- validators ----------

    it("validators do not run on load, refresh, or populateExisting", async () => {
      const uid = await storedUser()
      let calls = 0
      const stop = validates(EvUser, ["stamp"], (_k, v) => {
        calls++
        if (v === "BAD") throw new Error("refused")
        return v
      })
      try {
        await using s = new AsyncSession(engine)
        await s.execute(update(EvUser).where(EvUser.id.eq(uid)).values({ stamp: "BAD" }), {
          synchronizeSession: false,
        })
        const u = (await s.get(EvUser, uid))!
        expect(u.stamp).toBe("BAD")
        await s.refresh(u)
        await s.scalars(select(EvUser).where(EvUser.id.eq(uid)), { populateExisting: true })
        expect(calls).toBe(0)
      } finally {
        stop()
      }
    })

    it("a refusing validator leaves the object unchanged; a normalising one's value is written", async () => {
      const stop = validates(EvUser, ["name"], (_k, v) => {
        if (v.startsWith("!")) throw new Error("refused")
        return v.toLowerCase()
      })
      try {
        await using s = new AsyncSession(engine)
        const name = uniq("MIX")
        const u = new EvUser({ name })
        expect(u.name).toBe(name.toLowerCase())
        expect(() => {
          u.name = "!x"
        }).toThrow("refused")
        expect(u.name).toBe(name.toLowerCase())
        s.add(u)
        await s.commit()
        expect((await read((r) => r.get(EvUser, u.id)))!.name).toBe(name.toLowerCase())
      } finally {
        stop()
      }
    })

    // ---------- hybrids ----------

    it("hybrids: instance values equal SQL values, row by row", async () => {
      const rows = [
        { qty: 7, other: 2, price: 1.5, flag: true, name: "a", label: "b" },
        { qty: -7, other: 2, price: null, flag: false, name: null, label: "b" },
        { qty: null, other: 0, price: 2, flag: null, name: "a", label: null },
        { qty: 0, other: null, price: 0.1, flag: true, name: "", label: "" },
        { qty: 6, other: -4, price: 3, flag: false, name: "x", label: "y" },
      ]
      await using s = new AsyncSession(engine)
      const items = rows.map((r) => new EvItem(r))
      for (const i of items) s.add(i)
      await s.commit()
      const keys = ["half", "ratio", "total", "full", "big", "ok", "both", "either", "rem"] as const
      for (const item of items) {
        const mem: Record<string, unknown> = {}
        for (const k of keys) {
          try {
            mem[k] = (item as unknown as Record<string, unknown>)[k]
          } catch (e) {
            mem[k] = `ERR ${(e as Error).constructor.name}`
          }
        }
        const db: Record<string, unknown> = {}
        for (const k of keys) {
          try {
            const v = await s.scalar(
              select((EvItem as unknown as Record<string, never>)[k] as never).where(EvItem.id.eq(item.id)),
            )
            db[k] =
              typeof v === "number" && (k === "big" || k === "ok" || k === "both" || k === "either")
                ? v === 1
                : v
          } catch (e) {
            db[k] = `ERR ${(e as Error).constructor.name}`
          }
        }
        for (const k of keys) {
          if (String(mem[k]).startsWith("ERR") || String(db[k]).startsWith("ERR")) continue
          expect([item.id, k, mem[k]]).toEqual([item.id, k, db[k]])
        }
      }
    })

    it("bulk UPDATE SET qty = qty / 2 evaluated in memory agrees with the row", async () => {
      await using s = new AsyncSession(engine)
      const item = new EvItem({ qty: 7, other: 2, price: 1.5 })
      s.add(item)
      await s.commit()
      await s.refresh(item)
      await s.execute(
        update(EvItem)
          .where(EvItem.id.eq(item.id))
          .values({ qty: EvItem.qty.div(2) }),
        {
          synchronizeSession: "evaluate",
        },
      )
      const stored = await read(async (r) => (await r.get(EvItem, item.id))!.qty)
      expect(item.qty).toBe(stored)
      await s.execute(
        update(EvItem)
          .where(EvItem.id.eq(item.id))
          .values({ price: EvItem.price.mul(EvItem.qty) }),
        { synchronizeSession: "evaluate" },
      )
      const price = await read(async (r) => (await r.get(EvItem, item.id))!.price)
      expect(item.price).toBe(price)
    })

    it("hybrids in WHERE and ORDER BY", async () => {
      await using s = new AsyncSession(engine)
      const a = new EvItem({ qty: 9, other: 3, name: uniq("h") })
      const b = new EvItem({ qty: 8, other: 1, name: uniq("h") })
      s.add(a)
      s.add(b)
      await s.commit()
      const got = (
        await s.scalars(
          select(EvItem)
            .where(EvItem.id.in([a.id, b.id]))
            .where((EvItem as unknown as { big: never }).big)
            .orderBy((EvItem as unknown as { ratio: { desc(): never } }).ratio.desc()),
        )
      ).all()
      expect(got.map((x) => x.id)).toEqual([b.id, a.id])
    })
  })
}
