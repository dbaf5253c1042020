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

/**
 * Runs `request` 50 times, 10 at once, each on an engine with a dialect of its own, and counts the
 * dialects still alive after a full collection: once its engine is gone, a dialect must be too.
 */
async function survivingDialects(request: (session: ReadSession) => Promise<unknown>): Promise<number> {
  const refs: WeakRef<object>[] = []
  for (let round = 0; round < 5; round++) {
    await Promise.all(
      Array.from({ length: 10 }, async () => {
        const dialect = new PostgresDialect()
        refs.push(new WeakRef(dialect))
        await using session = new ReadSession(
          createEngine(engine.url, { driver: withDialect(engine.driver, dialect) }),
        )
        await request(session)
      }),
    )
  }
  for (let i = 0; i < 4; i++) {
    gc()
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
  return refs.filter((ref) => ref.deref() !== undefined).length
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
    expect(await survivingDialects((session) => session.get(AsUser, 1))).toBe(0)
  })

  it("an engine per request with its own PostgresDialect leaves nothing behind: a query with selectinload (src/orm/json-load.ts shapes)", async () => {
    const load = select(AsPost).orderBy(AsPost.id).limit(3).options(selectinload(AsPost.tags))
    expect(await survivingDialects(async (session) => (await session.scalars(load)).all())).toBe(0)
  })
})
