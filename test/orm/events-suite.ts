// Events, validators, refresh and merge where an attack found them wrong (a review against SQLAlchemy
// 2.0's semantics): each case wrote wrong data or left objects out of step with their rows before its
// fix. Part of the AsyncSession suite (./session-suite.ts), on every transport.
import { expect, it } from "vitest"
import { AsyncSession, type Engine, IntegrityError, inspect, listen, select } from "../../src/index.ts"
import { AuditLog, User } from "./models.ts"

interface SuiteTools {
  readonly engine: Engine
  readonly unique: (name: string) => string
}

export function eventsSuite(tools: SuiteTools) {
  const { engine, unique } = tools

  const newUser = (name: string) => new User({ username: unique(name), email: `${unique(name)}@example.com` })

  /** The audit rows a listener wrote for one kind of entity, read by a new session. */
  async function auditedIds(entityType: string): Promise<number[]> {
    await using reader = new AsyncSession(engine)
    const rows = await reader.scalars(select(AuditLog.entityId).where(AuditLog.entityType.eq(entityType)))
    return rows.all()
  }

  it("drops the objects listeners added to a commit that failed: its retry writes one audit row, not two", async () => {
    const taken = newUser("taken")
    {
      await using session = new AsyncSession(engine)
      session.add(taken)
      await session.commit()
    }
    const kind = unique("a").slice(0, 20)
    const stop = listen(User, "afterInsert", (user, { session, keyOf }) => {
      session.add(new AuditLog({ entityType: kind, entityId: keyOf(user) as number, action: "create" }))
    })
    try {
      await using session = new AsyncSession(engine)
      const user = new User({ username: taken.username, email: `${unique("other")}@example.com` })
      session.add(user)
      await expect(session.commit()).rejects.toBeInstanceOf(IntegrityError)
      user.username = unique("fresh")
      await session.commit()
      expect(await auditedIds(kind)).toEqual([user.id])
    } finally {
      stop()
    }
  })

  it("keeps what a commit stored when an afterFlush listener throws after it: the objects are persistent", async () => {
    await using session = new AsyncSession(engine)
    let fail = true
    session.on("afterFlush", () => {
      if (!fail) return
      fail = false
      throw new Error("listener failed")
    })
    const user = newUser("kept")
    session.add(user)
    await expect(session.commit()).rejects.toThrow("listener failed")
    expect(inspect(user).state).toBe("persistent")
    expect(typeof user.id).toBe("number")
    user.bio = "written by the next commit"
    await session.commit()
    await using reader = new AsyncSession(engine)
    expect((await reader.get(User, user.id))?.bio).toBe("written by the next commit")
  })
}
