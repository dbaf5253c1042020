// neon-local counted two WebSocket round trips for a statement sent alone with bound parameters:
// node-postgres sends Parse, Bind, Describe, Execute, then (its sync()) a Flush and a Sync, each in a
// frame of its own, all at once, and the stand-in counted the Flush's frame and the Sync's as a round
// trip each. `session.load(users, User.posts)` and `select(User).where(User.id.eq(1))` measured two
// round trips where the client waits once (a query with loads, sent as a script, measured one). A
// Sync right after a Flush is now the same round trip.
import { describe, expect, it } from "vitest"
import ws from "ws"
import { AsyncSession, insert, ReadSession, select, selectinload } from "../../src/index.ts"
import { neonFixture } from "../engine/transports.ts"
import { freshSchema } from "../orm/fresh-schema.ts"
import { r5Models } from "../review-day5-reads/models.ts"

const { R5Post, R5User, R5Tag, r5Links, registry } = r5Models("r6l_wsr")
const fixture = neonFixture("websocket", ws)

describe("round trips of loads with bound parameters on Neon's WebSocket", () => {
  const scope = `r6l-wsr-${Date.now().toString(36)}`
  const engine = fixture.engine(scope)
  freshSchema(engine, registry.metadata)

  it("seeds", async () => {
    await using session = new AsyncSession(engine)
    await session.execute(insert(R5User).values([{ id: 1, name: "ada", managerId: null }]))
    await session.execute(insert(R5Post).values([{ id: 10, title: "first", userId: 1 }]))
    await session.execute(insert(R5Tag).values([{ id: 100, name: "edge" }]))
    await session.execute(insert(r5Links).values([{ id: 1, postId: 10, tagId: 100 }]))
    await session.commit()
  })

  /** The WebSocket round trips and statements `work` costs on an open connection. */
  const cost = async (work: () => Promise<unknown>) => {
    const before = await fixture.stats(scope)
    await work()
    const after = await fixture.stats(scope)
    return {
      roundTrips: (after?.wsRoundTrips ?? 0) - (before?.wsRoundTrips ?? 0),
      statements: (after?.statements ?? 0) - (before?.statements ?? 0),
    }
  }

  it("a query with a parameter and two levels of loads is one round trip, as one without", async () => {
    await using session = new ReadSession(engine)
    await session.execute(select(R5Tag)) // opens the connection: its startup is not the query's
    const options = selectinload(R5User.posts).selectinload(R5Post.tags)
    const withParameter = select(R5User).where(R5User.id.eq(1)).options(options)
    expect(await cost(() => session.scalars(withParameter))).toEqual({ roundTrips: 1, statements: 1 })
    const [ada] = (await session.scalars(withParameter)).all()
    expect(ada?.posts.map((post) => [post.title, post.tags.map((tag) => tag.name)])).toEqual([
      ["first", ["edge"]],
    ])
    session.expungeAll()
    expect(await cost(() => session.scalars(select(R5User).options(options)))).toEqual({
      roundTrips: 1,
      statements: 1,
    })
  })

  it("session.load of a relationship is one round trip", async () => {
    await using session = new ReadSession(engine)
    const users = (await session.scalars(select(R5User))).all()
    expect(await cost(() => session.load(users, R5User.posts))).toEqual({ roundTrips: 1, statements: 1 })
    expect(users[0]?.posts.map((post) => post.id)).toEqual([10])
  })
})
