// ReadSession: the session without a unit of work, for workers that only read. Part of the AsyncSession
// suite (./session-suite.ts), on every transport, over its tables.
import { expect, it } from "vitest"
import {
  AsyncSession,
  type Engine,
  InvalidRequestError,
  inspect,
  ReadSession,
  select,
  selectinload,
} from "../../src/index.ts"
import type { Stats, TransportFixture } from "../engine/transports.ts"
import { Post, Tag, User } from "./models.ts"

interface SuiteTools {
  readonly engine: Engine
  readonly scope: (name: string) => string
  readonly unique: (name: string) => string
  readonly expectOneRequest: (before: Stats | undefined, after: Stats | undefined) => void
}

export function readSessionSuite(fixture: TransportFixture, tools: SuiteTools) {
  const { engine, scope, unique, expectOneRequest } = tools

  /** A user with two posts, the first tagged with two tags, written by an AsyncSession. */
  async function authorWithPosts() {
    await using session = new AsyncSession(engine)
    const author = new User({ username: unique("reader"), email: `${unique("reader")}@example.com` })
    const first = new Post({ title: "First", content: "...", author })
    new Post({ title: "Second", content: "...", author })
    first.tags.push(new Tag({ name: unique("read-a") }), new Tag({ name: unique("read-b") }))
    session.add(author)
    await session.commit()
    return { authorId: author.id, firstId: first.id }
  }

  it("ReadSession gets by key in one request, one object per row, with loads, pages and refreshes", async () => {
    const { authorId, firstId } = await authorWithPosts()
    const name = scope("read-session")
    await using session = new ReadSession(fixture.engine(name))
    // Connected first: over Neon's WebSocket the first statement also opens the socket.
    expect(await session.scalar(select(User.username).where(User.id.eq(authorId)))).toMatch(/^reader-/)
    const before = await fixture.stats(name)
    const post = await session.get(Post, firstId)
    expectOneRequest(before, await fixture.stats(name))
    expect(post?.title).toBe("First")
    expect(inspect(post as Post).state).toBe("persistent")
    // The identity map: the same row is the same object, and a get of it costs nothing.
    const [again] = (
      await session.scalars(select(Post).where(Post.id.eq(firstId)).options(selectinload(Post.tags)))
    ).all()
    expect(again).toBe(post)
    expect(again?.tags.map((tag) => tag.name).sort()).toHaveLength(2)
    const quiet = await fixture.stats(name)
    expect(await session.get(Post, firstId)).toBe(post)
    expect(await fixture.stats(name)).toEqual(quiet)
    const page = await session.paginate(select(Post).where(Post.userId.eq(authorId)).orderBy(Post.id), {
      page: 2,
      pageSize: 1,
    })
    expect([page.total, page.items.map((p) => p.title)]).toEqual([2, ["Second"]])
    const author = (await session.get(User, authorId)) as User
    await session.refresh(author, ["posts"])
    expect(author.posts.map((p) => p.title).sort()).toEqual(["First", "Second"])
    expect(author.posts).toContain(post)
    // Rows as mappings name an entity by its model, with or without loads, and a value by its column.
    for (const query of [
      select(Post, Post.title).where(Post.id.eq(firstId)),
      select(Post, Post.title).where(Post.id.eq(firstId)).options(selectinload(Post.tags)),
    ]) {
      expect((await session.execute(query)).mappings()).toEqual([{ Post: post, title: "First" }])
    }
  })

  it("ReadSession has no unit of work: changes stay in memory, never written, and it has no add or commit", async () => {
    const { firstId } = await authorWithPosts()
    await using session = new ReadSession(engine)
    const post = (await session.get(Post, firstId)) as Post
    post.title = "Changed in memory"
    // No autoflush: the query reads the database, and the object keeps its unwritten value.
    const titles = await session.scalars(select(Post.title).where(Post.id.eq(firstId)))
    expect(titles.all()).toEqual(["First"])
    expect(post.title).toBe("Changed in memory")
    await session.rollback()
    await session.close()
    expect(inspect(post).state).toBe("detached")
    await using check = new ReadSession(engine)
    expect((await check.get(Post, firstId))?.title).toBe("First")
    // @ts-expect-error: writing is AsyncSession's
    expect(session.add).toBeUndefined()
    // @ts-expect-error: writing is AsyncSession's
    expect(session.commit).toBeUndefined()
    expect(new AsyncSession(engine)).toBeInstanceOf(ReadSession)
  })

  it("ReadSession reads in a transaction of its own: FOR UPDATE and begin() open one, rollback() ends it", async () => {
    const { firstId } = await authorWithPosts()
    await using session = new ReadSession(engine)
    expect(session.inTransaction()).toBe(false)
    if (fixture.dialect === "postgresql") {
      const locked = await session.scalars(select(Post).where(Post.id.eq(firstId)).forUpdate())
      expect(locked.all().map((p) => p.id)).toEqual([firstId])
      expect(session.inTransaction()).toBe(true)
      await expect(session.begin()).rejects.toThrow(InvalidRequestError)
      await session.rollback()
      expect(session.inTransaction()).toBe(false)
    }
    await session.begin({ readOnly: true })
    expect(session.inTransaction()).toBe(true)
    await expect(session.begin()).rejects.toThrow(InvalidRequestError)
    expect((await session.get(Post, firstId))?.title).toBe("First")
    await session.close()
    expect(session.inTransaction()).toBe(false)
    await expect(session.get(Post, -1)).rejects.toThrow("This session is closed")
  })
}
