// A suite's tables, made fresh before it (dropped first, in case an interrupted run left them) and
// dropped after it.
import { afterAll, beforeAll } from "vitest"
import { createAll, dropAll, type Engine, type MetaData } from "../../src/index.ts"

export function freshSchema(engine: Engine, metadata: MetaData): void {
  beforeAll(async () => {
    await using connection = engine.connect()
    await dropAll(metadata, connection)
    await createAll(metadata, connection)
  })
  afterAll(async () => {
    await using connection = engine.connect()
    await dropAll(metadata, connection)
  })
}
