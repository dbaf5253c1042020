// The blog's schema, created where it is missing. One function on purpose: the dev runner and the tests
// call it, and it becomes "apply the migrations" once the blog's revisions exist (migrations/).
import { createAll, type Engine } from "../src/index.ts"
import { registry } from "./models/index.ts"

export async function ensureSchema(engine: Engine): Promise<void> {
  await using connection = engine.connect()
  await createAll(registry.metadata, connection)
}
