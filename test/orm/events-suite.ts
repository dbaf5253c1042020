// Events, validators, refresh and merge where an attack found them wrong (a review against SQLAlchemy
// 2.0's semantics): each case wrote wrong data or left objects out of step with their rows before its
// fix. Part of the AsyncSession suite (./session-suite.ts), on every transport.
import { expect, it } from "vitest"
import {
  AsyncSession,
  delete as deleteFrom,
  type Engine,
  IntegrityError,
  InvalidRequestError,
  inspect,
  listen,
  StaleDataError,
  select,
  selectinload,
} from "../../src/index.ts"
import { AuditLog, Post, Tag, User } from "./models.ts"

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

  /** A user committed by its own session: its id and username. */
  async function storedUser(name: string): Promise<User> {
    await using session = new AsyncSession(engine)
    const user = newUser(name)
    session.add(user)
    await session.commit()
    return user
  }

  it("drops an object's unflushed changes when it is refreshed, instead of writing them", async () => {
    const { id, username } = await storedUser("refreshed")
    await using session = new AsyncSession(engine)
    const user = (await session.get(User, id)) as User
    user.username = "typo, discard me"
    await session.refresh(user)
    expect(user.username).toBe(username)
    await session.commit()
    await using reader = new AsyncSession(engine)
    expect((await reader.get(User, id))?.username).toBe(username)
  })

  it("refuses to refresh an object whose row another session deleted", async () => {
    const { id } = await storedUser("vanished")
    await using session = new AsyncSession(engine)
    const user = (await session.get(User, id)) as User
    {
      await using other = new AsyncSession(engine)
      await other.execute(deleteFrom(User).where(User.id.eq(id)), { synchronizeSession: false })
    }
    const refresh = session.refresh(user)
    await expect(refresh).rejects.toBeInstanceOf(InvalidRequestError)
    await expect(refresh).rejects.toThrow(`Could not refresh User ${id}: its row no longer exists`)
  })

  it("completes a rollback whose afterRollback listener throws: the next commit writes nothing dropped", async () => {
    const { id, username } = await storedUser("rolled")
    await using session = new AsyncSession(engine)
    session.on("afterRollback", () => {
      throw new Error("listener failed")
    })
    const user = (await session.get(User, id)) as User
    user.bio = "dropped by the rollback"
    const added = newUser("dropped")
    session.add(added)
    await expect(session.rollback()).rejects.toThrow("listener failed")
    expect(inspect(added).state).toBe("transient")
    await session.commit()
    await using reader = new AsyncSession(engine)
    expect((await reader.get(User, id))?.bio).toBeNull()
    expect(await reader.scalar(select(User.id).where(User.username.eq(added.username)))).toBeUndefined()
    expect(username).toBe(user.username)
  })

  it("runs every listener of an event when one of them removes itself", async () => {
    const ran: string[] = []
    const stopFirst = listen(User, "beforeInsert", () => {
      ran.push("first")
      stopFirst()
    })
    const stopSecond = listen(User, "beforeInsert", (user) => {
      ran.push("second")
      user.bio = "set by the second listener"
    })
    try {
      await using session = new AsyncSession(engine)
      const user = newUser("listened")
      session.add(user)
      await session.commit()
      expect(ran).toEqual(["first", "second"])
      expect(user.bio).toBe("set by the second listener")
    } finally {
      stopFirst()
      stopSecond()
    }
  })

  /** A post by a new author, committed; its id. */
  async function storedPost(title: string): Promise<{ id: number; userId: number }> {
    await using session = new AsyncSession(engine)
    const post = new Post({ title, content: "", author: newUser("merger") })
    session.add(post)
    await session.commit()
    return { id: post.id, userId: post.userId }
  }

  it("refuses to merge an object whose version is not the row's: another session's change survives", async () => {
    const { id, userId } = await storedPost("first")
    {
      await using editor = new AsyncSession(engine)
      ;((await editor.get(Post, id)) as Post).title = "edited elsewhere"
      await editor.commit()
    }
    await using session = new AsyncSession(engine)
    const stale = new Post({ id, title: "from a stale form", content: "", userId, version: 1 })
    await expect(session.merge(stale)).rejects.toBeInstanceOf(StaleDataError)
    await session.commit()
    await using reader = new AsyncSession(engine)
    const row = (await reader.get(Post, id)) as Post
    expect([row.title, row.version]).toEqual(["edited elsewhere", 2])
  })

  it("merges an object's loaded relationships with it", async () => {
    const { id, userId } = await storedPost("tagged by merge")
    const tag = new Tag({ name: unique("merged") })
    {
      await using session = new AsyncSession(engine)
      session.add(tag)
      await session.commit()
    }
    await using session = new AsyncSession(engine)
    const detached = new Post({ id, title: "tagged by merge", content: "", userId })
    detached.tags = [new Tag({ id: tag.id, name: tag.name })]
    const merged = await session.merge(detached)
    expect(merged).not.toBe(detached)
    expect(merged.tags.map((t) => t.id)).toEqual([tag.id])
    await session.commit()
    await using reader = new AsyncSession(engine)
    const row = await reader.scalar(select(Post).where(Post.id.eq(id)).options(selectinload(Post.tags)))
    expect(row?.tags.map((t) => t.name)).toEqual([tag.name])
  })

  it("reloads an expired object's columns from the next row read after commit (expireOnCommit)", async () => {
    const { id } = await storedUser("expiring")
    await using session = new AsyncSession(engine, { expireOnCommit: true })
    const user = (await session.get(User, id)) as User
    user.bio = "mine"
    await session.commit()
    {
      await using other = new AsyncSession(engine)
      ;((await other.get(User, id)) as User).bio = "changed elsewhere"
      await other.commit()
    }
    expect(user.bio).toBe("mine") // no implicit I/O
    expect(await session.get(User, id)).toBe(user)
    expect(user.bio).toBe("changed elsewhere")
    {
      await using other = new AsyncSession(engine)
      ;((await other.get(User, id)) as User).bio = "changed again"
      await other.commit()
    }
    // Read once, it is not expired any more: queries keep it as it is, as without expireOnCommit.
    expect((await session.scalars(select(User).where(User.id.eq(id)))).one().bio).toBe("changed elsewhere")
    await session.commit()
    user.bio = "changed here since"
    expect((await session.scalars(select(User).where(User.id.eq(id)))).one().bio).toBe("changed here since")
  })

  it("says a commit was not awaited when close() ran before it; a rollback after close() has nothing to do", async () => {
    const session = new AsyncSession(engine)
    session.add(newUser("unawaited"))
    const commit = session.commit()
    await session.close()
    await expect(commit).rejects.toThrow(
      "The session was closed before this commit() ran, though it was called first: await it before close()",
    )
    await expect(session.commit()).rejects.toThrow("This session is closed; open a new one")
    await session.rollback()
    // The same unawaited, closed by the scope: `return session.commit()` inside `await using`.
    const returned = async () => {
      await using scoped = new AsyncSession(engine)
      scoped.add(newUser("returned"))
      return scoped.commit()
    }
    await expect(returned()).rejects.toThrow("(inside await using: return await it)")
  })

  it("writes a new object appended to a collection that refresh() reloads, as its autoflush would have", async () => {
    const { id } = await storedUser("refreshing")
    await using session = new AsyncSession(engine)
    const user = (await session.scalar(
      select(User).where(User.id.eq(id)).options(selectinload(User.posts)),
    )) as User
    const post = new Post({ title: "appended", content: "" })
    user.posts.push(post)
    await session.refresh(user, ["posts"])
    expect(user.posts.map((p) => p.title)).toEqual(["appended"])
    expect(inspect(post).state).toBe("persistent")
  })

  it("expunges what a beforeFlush listener added to a commit that failed, and keeps what the application added meanwhile", async () => {
    const taken = await storedUser("taken-again")
    const kind = unique("bf").slice(0, 20)
    await using session = new AsyncSession(engine)
    session.on("beforeFlush", (s) => s.add(new AuditLog({ entityType: kind, entityId: 0, action: "flush" })))
    const user = new User({ username: taken.username, email: `${unique("dup")}@example.com` })
    session.add(user)
    const commit = session.commit()
    for (let i = 0; i < 3; i++) await Promise.resolve() // the request is out
    const late = newUser("late")
    session.add(late)
    await expect(commit).rejects.toBeInstanceOf(IntegrityError)
    expect(inspect(late).state).toBe("pending")
    user.username = unique("fixed")
    await session.commit()
    expect(await auditedIds(kind)).toEqual([0])
    expect(inspect(late).state).toBe("persistent")
  })

  it("get() of an expired object reads its row again, keeping its own unflushed change; one marked for deletion is returned as held, without a query", async () => {
    const [first, second] = [await storedUser("exp-a"), await storedUser("exp-b")]
    const counted = engine.child()
    let statements = 0
    counted.on("statement", () => {
      statements++
    })
    await using session = new AsyncSession(counted, { expireOnCommit: true, autoflush: false })
    const [a, b] = [(await session.get(User, first.id)) as User, (await session.get(User, second.id)) as User]
    await session.commit()
    a.bio = "unflushed"
    session.delete(b)
    statements = 0
    // As SQLAlchemy's get() loads an expired object's expired attributes: the others may have changed.
    expect((await session.get(User, a.id))?.bio).toBe("unflushed")
    expect(statements).toBe(1)
    // Its DELETE not yet flushed: returned, as SQLAlchemy's get() returns it (null once flushed).
    expect(await session.get(User, b.id)).toBe(b)
    expect(statements).toBe(1)
  })
}
