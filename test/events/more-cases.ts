// Attack, second round (called from events.test.ts, inside its schema).
import { expect, it } from "vitest"
import { AsyncSession, type Engine, IntegrityError, listen, select, selectinload } from "../../src/index.ts"
import { EvAudit, EvPost, EvTag, EvUser } from "./models.ts"

let n = 0
const uniq = (p: string) => `${p}-m${++n}-${Math.random().toString(36).slice(2, 8)}`
const ready = async (_e: Engine) => {}

export function moreCases(engine: Engine) {
  it("a beforeUpdate listener's push to a persistent collection is undone by a failed commit: one tag, not two", async () => {
    await ready(engine)
    const taken = uniq("taken")
    let pid: number
    {
      await using s = new AsyncSession(engine)
      s.add(new EvPost({ title: taken }))
      const p = new EvPost({ title: uniq("p") })
      s.add(p)
      await s.commit()
      pid = p.id
    }
    const prefix = uniq("auto")
    let k = 0
    const stop = listen(EvPost, "beforeUpdate", (post) => {
      if (post.id === pid) post.tags.push(new EvTag({ name: `${prefix}-${++k}` }))
    })
    try {
      await using s = new AsyncSession(engine)
      const post = (await s.scalar(
        select(EvPost).where(EvPost.id.eq(pid)).options(selectinload(EvPost.tags)),
      ))!
      post.title = taken
      await expect(s.commit()).rejects.toBeInstanceOf(IntegrityError)
      const afterFail = post.tags.length
      post.title = uniq("fresh")
      await s.commit()
      await using r = new AsyncSession(engine)
      const stored = (await r.scalar(
        select(EvPost).where(EvPost.id.eq(pid)).options(selectinload(EvPost.tags)),
      ))!
      // The failed flush's tag is gone; the retry's listener adds its own, as SQLAlchemy's would.
      expect([afterFail, stored.tags.map((t) => t.name.split("-").pop())]).toEqual([0, ["2"]])
    } finally {
      stop()
    }
  })

  it("an afterInsert listener sees the defaults the INSERT wrote (postCount 0), as SQLAlchemy's after_insert", async () => {
    await ready(engine)
    const kind = uniq("k")
    const stop = listen(EvUser, "afterInsert", (user, { session }) => {
      session.add(new EvAudit({ kind, action: "ins", note: `count=${String(user.postCount)}` }))
    })
    try {
      await using s = new AsyncSession(engine)
      s.add(new EvUser({ name: uniq("u") }))
      await s.commit()
      await using r = new AsyncSession(engine)
      const audit = await r.scalar(select(EvAudit).where(EvAudit.kind.eq(kind)))
      expect(audit?.note).toBe("count=0")
    } finally {
      stop()
    }
  })
}

import { update } from "../../src/index.ts"
import { EvItem } from "./models.ts"

export function hybridSetCases(engine: Engine) {
  it("a hybrid used as a bulk UPDATE SET value and WHERE, evaluated and fetched", async () => {
    await using s = new AsyncSession(engine)
    const item = new EvItem({ qty: 7, other: 2, name: "n", label: "l" })
    s.add(item)
    await s.commit()
    await s.refresh(item)
    const H = EvItem as unknown as { full: never; big: never; half: never }
    await s.execute(
      update(EvItem).where(EvItem.id.eq(item.id)).where(H.big).values({ name: H.full, other: H.half }),
      {
        synchronizeSession: "evaluate",
      },
    )
    await using r = new AsyncSession(engine)
    const row = (await r.get(EvItem, item.id))!
    expect([item.name, item.other]).toEqual(["n-l", 3])
    expect([row.name, row.other]).toEqual(["n-l", 3])
  })
}

export function uniqueCases(engine: Engine) {
  it("addUnique that finds the existing row: no afterInsert audit for a row never inserted", async () => {
    const name = uniq("tag")
    {
      await using s = new AsyncSession(engine)
      s.add(new EvTag({ name }))
      await s.commit()
    }
    const kind = uniq("k")
    const stop = listen(EvTag, "afterInsert", (tag, { session, keyOf }) => {
      session.add(new EvAudit({ kind, entityId: keyOf(tag) as number, action: "created" }))
    })
    try {
      await using s = new AsyncSession(engine)
      const tag = s.addUnique(new EvTag({ name }), ["name"])
      await s.commit()
      await using r = new AsyncSession(engine)
      const audits = (await r.scalars(select(EvAudit).where(EvAudit.kind.eq(kind)))).all()
      expect([tag.id, audits.map((a) => [a.action, a.entityId])]).toEqual([tag.id, []])
    } finally {
      stop()
    }
  })
}
