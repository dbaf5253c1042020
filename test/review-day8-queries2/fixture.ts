// Both databases through their stand-ins (Neon HTTP, libSQL HTTP), with a file's tables made fresh and
// seeded once per suite; `rows()` runs a statement outside the session and gives its rows as arrays.
import { it } from "vitest"
import ws from "ws"
import { AsyncSession, type Engine, insert, type Statement } from "../../src/index.ts"
import { libsqlHttpFixture, neonFixture, type TransportFixture } from "../engine/transports.ts"
import { freshSchema } from "../orm/fresh-schema.ts"
import { type Models, seed } from "./models.ts"

export const fixtures = (): TransportFixture[] => [neonFixture("http", ws), libsqlHttpFixture()]

/** An engine on `fixture` whose tables of `models` are made and seeded before the suite's tests. */
export function seededEngine(fixture: TransportFixture, name: string, models: Models): Engine {
  const { registry, User, Post, Tag, postTags } = models
  const engine = fixture.engine(`q8-${name}-${fixture.name}-${Date.now().toString(36)}`)
  freshSchema(engine, registry.metadata)
  it("seeds", async () => {
    await using session = new AsyncSession(engine)
    await session.execute(insert(User).values(seed.users))
    await session.execute(insert(Post).values(seed.posts))
    await session.execute(insert(Tag).values(seed.tags))
    await session.execute(insert(postTags).values(seed.postTags))
    await session.commit()
  })
  return engine
}

export async function rows(engine: Engine, statement: Statement): Promise<unknown[][]> {
  await using connection = engine.connect()
  return (await connection.execute(statement)).all().map((row) => [...(row as unknown as unknown[])])
}
