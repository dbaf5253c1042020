// A test's tables made anew (dropped first, in case an interrupted run left them).
import { createAll, dropAll, type Engine, type MetaData } from "../../src/index.ts"

export async function freshTables(engine: Engine, metadata: MetaData): Promise<void> {
  await using connection = engine.connect()
  await dropAll(metadata, connection)
  await createAll(metadata, connection)
}
