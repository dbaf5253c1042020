// session.reference and commit({ read }): writing a row the application knows without loading it, and
// reading the answer, in one request. Part of the AsyncSession suite (./session-suite.ts), on every
// transport; `expectOneRequest` asserts one round trip where the transport counts them.
import { expect, expectTypeOf, it } from "vitest"
import {
  AsyncSession,
  type Engine,
  type FlushContext,
  func,
  InvalidRequestError,
  inspect,
  listen,
  NotLoadedError,
  StaleDataError,
  select,
  selectinload,
} from "../../src/index.ts"
import type { Stats, TransportFixture } from "../engine/transports.ts"
import { AuditLog, Comment, Post, postTags, Tag, User } from "./models.ts"

interface SuiteTools {
  readonly engine: Engine
  readonly scope: (name: string) => string
  readonly unique: (name: string) => string
  readonly expectOneRequest: (before: Stats | undefined, after: Stats | undefined) => void
}

const commentCount = select(func.count(Comment.id)).where(Comment.postId.eq(Post.id)).scalarSubquery()

/** The answer to an edit: the post with its comment count, tags and author. */
const edited = (id: number) =>
  select(Post, commentCount).where(Post.id.eq(id)).options(selectinload(Post.tags), selectinload(Post.author))

export function referenceSuite(fixture: TransportFixture, tools: SuiteTools) {
  const { engine, scope, unique, expectOneRequest } = tools

  /** A user with a post (version 1) tagged with `tags` and with `comments` comments. */
  async function postOf(tags: string[], comments = 0) {
    await using session = new AsyncSession(engine)
    const author = new User({ username: unique("ref"), email: `${unique("ref")}@example.com` })
    const post = new Post({
      title: "Before",
      content: "Body",
      author,
      tags: tags.map((name) => new Tag({ name })),
    })
    for (let i = 0; i < comments; i++) new Comment({ content: `c${i}`, post, author })
    session.add(author)
    await session.commit()
    return { author, post }
  }

  async function linkedNames(postId: number): Promise<string[]> {
    await using reader = new AsyncSession(engine)
    const names = await reader.scalars(
      select(Tag.c.name).join(postTags, postTags.c.tagId.eq(Tag.id)).where(postTags.c.postId.eq(postId)),
    )
    return names.all().sort()
  }

  async function audits(postId: number, action: string): Promise<number> {
    await using reader = new AsyncSession(engine)
    const found = await reader.scalar(
      select(func.count())
        .selectFrom(AuditLog)
        .where(AuditLog.entityId.eq(postId), AuditLog.action.eq(action)),
    )
    return Number(found)
  }

  /** Mapper listeners writing an AuditLog row per update and delete of a Post, as the blog does. */
  function auditPosts(): () => void {
    const audit =
      (action: string) =>
      (post: Post, { session, keyOf }: FlushContext) =>
        session.add(new AuditLog({ entityType: "post", entityId: keyOf(post) as number, action }))
    const stop = [listen(Post, "afterUpdate", audit("update")), listen(Post, "afterDelete", audit("delete"))]
    return () => {
      for (const unlisten of stop) unlisten()
    }
  }

  it("updates a reference and replaces its tags in one request, reading the answer in it too", async () => {
    const [kept, dropped, known, fresh, plain] = ["kept", "dropped", "known", "fresh", "plain"].map(unique)
    const { author, post: original } = await postOf([kept as string, dropped as string], 2)
    {
      await using setup = new AsyncSession(engine)
      setup.add(new Tag({ name: known as string }))
      await setup.commit()
    }
    const name = scope("reference")
    await using session = new AsyncSession(fixture.engine(name))
    await session.get(User, -1) // opens the connection (a WebSocket in websocket mode)
    const post = session.reference(Post, { id: original.id, version: 1, userId: author.id })
    expect(inspect(post).state).toBe("persistent")
    expect([post.id, post.version, post.userId]).toEqual([original.id, 1, author.id])
    expect(() => post.content).toThrow(NotLoadedError)
    expect(() => post.content).toThrow(
      /Post\.content is not loaded \(a reference knowing id,version,userId\)/,
    )
    expect(() => post.tags).toThrow(NotLoadedError)
    post.title = "After"
    // An existing member kept, one removed, an existing tag and two new ones (one found by name).
    const tags = [kept, known, fresh].map((tag) =>
      session.addUnique(new Tag({ name: tag as string }), ["name"]),
    )
    post.tags = [...tags, new Tag({ name: plain as string })]
    const stop = auditPosts()
    const before = await fixture.stats(name)
    const result = await session.commit({ read: edited(post.id) }).finally(stop)
    expectOneRequest(before, await fixture.stats(name))
    const [answered, comments] = result.one()
    expect(answered).toBe(post)
    expect(Number(comments)).toBe(2)
    // The UPDATE's RETURNING and the read gave the reference every column, its tags and its author.
    expect([post.title, post.content, post.version, post.published]).toEqual(["After", "Body", 2, false])
    expect(post.tags.map((tag) => tag.name).sort()).toEqual([kept, known, fresh, plain].sort())
    expect(post.tags).toContain(tags[1])
    expect(post.author.username).toBe(author.username)
    expect(session.isModified(post)).toBe(false)
    expect(await linkedNames(post.id)).toEqual([kept, known, fresh, plain].sort())
    expect(await audits(post.id, "update")).toBe(1)
  })

  it("fails as stale, writing nothing, when the version or an asserted column does not match", async () => {
    const { author, post: original } = await postOf(["x"].map(unique))
    const other = (await postOf([])).author
    const name = scope("stale-reference")
    for (const known of [
      { version: 2, userId: author.id },
      { version: 1, userId: other.id },
    ]) {
      await using session = new AsyncSession(fixture.engine(name))
      await session.get(User, -1)
      const post = session.reference(Post, { id: original.id, ...known })
      post.title = "Mine"
      const tag = session.addUnique(new Tag({ name: unique("never") }), ["name"])
      post.tags = [tag]
      const stop = auditPosts()
      const before = await fixture.stats(name)
      const error = await session.commit().catch((e: unknown) => e)
      stop()
      expect(error).toBeInstanceOf(StaleDataError)
      expectOneRequest(before, await fixture.stats(name))
      // The objects are as before the commit: the reference knows what it knew, the tag is pending.
      expect(inspect(post).state).toBe("persistent")
      expect([post.title, post.version, post.userId]).toEqual(["Mine", known.version, known.userId])
      expect(() => post.content).toThrow(NotLoadedError)
      expect(post.tags).toEqual([tag])
      expect([inspect(tag).state, tag.id]).toEqual(["pending", undefined])
      await using reader = new AsyncSession(engine)
      expect(await reader.scalar(select(Post.title).where(Post.id.eq(original.id)))).toBe("Before")
      expect(await reader.scalar(select(Tag.id).where(Tag.c.name.eq(tag.name)))).toBeUndefined()
      expect(await linkedNames(original.id)).toEqual([original.tags[0]?.name])
      expect(await audits(original.id, "update")).toBe(0)
    }
  })

  it("deletes a reference in one request, with unloaded comments and tag links, if it is the author's", async () => {
    const { author, post } = await postOf(["d1", "d2"].map(unique), 2)
    const intruder = (await postOf([])).author
    const name = scope("delete-reference")
    const stop = auditPosts()
    try {
      {
        await using session = new AsyncSession(fixture.engine(name))
        session.delete(session.reference(Post, { id: post.id, userId: intruder.id }))
        expect(await session.commit().catch((e: unknown) => e)).toBeInstanceOf(StaleDataError)
      }
      await using session = new AsyncSession(fixture.engine(name))
      await session.get(User, -1)
      const doomed = session.reference(Post, { id: post.id, userId: author.id })
      session.delete(doomed)
      const before = await fixture.stats(name)
      await session.commit()
      expectOneRequest(before, await fixture.stats(name))
      expect(inspect(doomed).state).toBe("detached")
    } finally {
      stop()
    }
    await using reader = new AsyncSession(engine)
    expect(await reader.scalar(select(Post.id).where(Post.id.eq(post.id)))).toBeUndefined()
    expect(await reader.scalar(select(Comment.id).where(Comment.postId.eq(post.id)))).toBeUndefined()
    expect(await linkedNames(post.id)).toEqual([])
    expect(await audits(post.id, "delete")).toBe(1)
  })

  it("counts the version up from the row when a reference was not given it, and empties a collection", async () => {
    const { post: original } = await postOf(["e1", "e2"].map(unique))
    {
      await using session = new AsyncSession(engine)
      session.reference(Post, { id: original.id }).title = "Second"
      await session.commit()
    }
    await using session = new AsyncSession(engine)
    const post = session.reference(Post, { id: original.id })
    post.title = "Third"
    post.tags = []
    const [read] = (await session.commit({ read: select(Post).where(Post.id.eq(post.id)) })).one()
    expect(read).toBe(post)
    expect([post.title, post.version, post.content]).toEqual(["Third", 3, "Body"])
    expect(await linkedNames(post.id)).toEqual([])
  })

  it("reads with commit({ read }) inside an interactive transaction too, before its COMMIT", async () => {
    const { author, post: original } = await postOf(["i1"].map(unique))
    await using session = new AsyncSession(engine)
    const post = session.reference(Post, { id: original.id, version: 1, userId: author.id })
    post.published = true
    await session.flush()
    expect(session.inTransaction()).toBe(true)
    // The flush's RETURNING gave the reference its row already.
    expect([post.title, post.version]).toEqual(["Before", 2])
    const [read, comments] = (await session.commit({ read: edited(post.id) })).one()
    expect(session.inTransaction()).toBe(false)
    expect([read, Number(comments), read.tags.map((tag) => tag.name)]).toEqual([
      post,
      0,
      [original.tags[0]?.name],
    ])
    await using reader = new AsyncSession(engine)
    expect(await reader.scalar(select(Post.published).where(Post.id.eq(post.id)))).toBe(true)
  })

  it("takes the session's object for a row it holds, and refuses references it cannot make", async () => {
    const { post } = await postOf([])
    await using session = new AsyncSession(engine)
    const loaded = (await session.get(Post, post.id)) as Post
    expect(session.reference(Post, { id: post.id, version: 1 })).toBe(loaded)
    expect(() => session.reference(Post, { id: post.id, version: 7 })).toThrow(StaleDataError)
    // @ts-expect-error known values are typed by their columns
    expect(() => session.reference(Post, { id: post.id, title: 5 })).toThrow(StaleDataError)
    expectTypeOf(session.reference(Post, { id: post.id })).toEqualTypeOf<Post>()
    expect(() => session.reference(Post, { title: "no key" })).toThrow(/needs its primary key/)
    expect(() => session.reference(Post, { id: 1, nope: 1 } as never)).toThrow(InvalidRequestError)
    // Nothing to write: commit({ read }) only reads, and the rows refresh the objects.
    loaded.title = "Unsaved"
    session.expunge(loaded)
    const [again] = (await session.commit({ read: select(Post).where(Post.id.eq(post.id)) })).one()
    expect([again.title, again === loaded]).toEqual(["Before", false])
  })
}
