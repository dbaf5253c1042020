// The blog's schema: its revisions in migrations/, applied up to the newest. The dev runner and the
// tests call this; in production, run `npx edgealchemy migrate upgrade` (or this) before deploying.

import { revisions } from "../migrations/index.ts"
import type { Engine } from "../src/index.ts"
import { Migrator } from "../src/migrate.ts"

export async function ensureSchema(engine: Engine): Promise<void> {
  await new Migrator(engine, { revisions }).upgrade()
}
