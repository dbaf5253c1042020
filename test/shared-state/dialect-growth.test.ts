// A Dialect made per engine (the exported PostgresDialect/SqliteDialect with withDialect, as a custom
// driver would): caches keyed by dialect must let it go with its engine.
import { setFlagsFromString } from "node:v8"
import { runInNewContext } from "node:vm"
import { describe, expect, it } from "vitest"
import ws from "ws"
import {
  AsyncSession,
  createEngine,
  PostgresDialect,
  ReadSession,
  select,
  selectinload,
  withDialect,
} from "../../src/index.ts"
import { neonFixture } from "../engine/transports.ts"
import { freshSchema } from "../orm/fresh-schema.ts"
import { makeModels } from "./models.ts"

const { AsPost, AsUser, registry, seedObjects } = makeModels("as6")
setFlagsFromString("--expose-gc")
const gc = runInNewContext("gc") as () => void
const fixture = neonFixture("http", ws)
const engine = fixture.engine(`as-dialect-${Date.now().toString(36)}`)

async function heap() {
  for (let i = 0; i < 4; i++) {
    gc()
    await new Promise((r) => setTimeout(r, 10))
  }
  return process.memoryUsage().heapUsed
}

describe("dialects made per engine", () => {
  freshSchema(engine, registry.metadata)
  it("seeds", async () => {
    await using s = new AsyncSession(engine)
    const { users, tags, posts } = seedObjects()
    s.addAll([...users, ...tags, ...posts])
    await s.commit()
  })

  it("an engine per request with its own PostgresDialect leaves nothing behind: session.get (src/sql/bound.ts templates)", async () => {
    const heaps: number[] = []
    // Weak references to each request's dialect: once its engine is gone, so must it be.
    const refs: WeakRef<object>[] = []
    for (let batch = 0; batch < 2; batch++) {
      for (let i = 0; i < 50; i += 10) {
        await Promise.all(
          Array.from({ length: 10 }, async () => {
            const dialect = new PostgresDialect()
            refs.push(new WeakRef(dialect))
            const own = createEngine(engine.url, { driver: withDialect(engine.driver, dialect) })
            await using s = new ReadSession(own)
            await s.get(AsUser, 1)
          }),
        )
      }
      heaps.push(await heap())
    }
    const alive = refs.filter((r) => r.deref() !== undefined).length
    console.log(
      "heap MB",
      heaps.map((h) => Math.round(h / 1e5) / 10),
      "dialects still alive",
      alive,
      "of",
      refs.length,
    )
    expect(alive).toBe(0)
  }, 300_000)
  it("an engine per request with its own PostgresDialect leaves nothing behind: a query with selectinload (src/orm/json-load.ts shapes)", async () => {
    const heaps: number[] = []
    // Weak references to each request's dialect: once its engine is gone, so must it be.
    const refs: WeakRef<object>[] = []
    for (let batch = 0; batch < 2; batch++) {
      for (let i = 0; i < 50; i += 10) {
        await Promise.all(
          Array.from({ length: 10 }, async () => {
            const dialect = new PostgresDialect()
            refs.push(new WeakRef(dialect))
            const own = createEngine(engine.url, { driver: withDialect(engine.driver, dialect) })
            await using s = new ReadSession(own)
            const posts = (
              await s.scalars(select(AsPost).orderBy(AsPost.id).limit(3).options(selectinload(AsPost.tags)))
            ).all()
            expect(posts.length).toBe(3)
          }),
        )
      }
      heaps.push(await heap())
    }
    const alive = refs.filter((r) => r.deref() !== undefined).length
    console.log(
      "heap MB",
      heaps.map((h) => Math.round(h / 1e5) / 10),
      "dialects still alive",
      alive,
      "of",
      refs.length,
    )
    expect(alive).toBe(0)
  }, 300_000)
})
