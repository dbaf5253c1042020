// A worker that migrates its database on request: revisions imported statically and bundled.
import { createEngine } from "../../src/index.ts"
import { libsql } from "../../src/libsql.ts"
import { Migrator, staticRevisions } from "../../src/migrate.ts"
import * as notes from "./worker-revisions/a1b2c3d4e5f6_notes.ts"
import * as pinned from "./worker-revisions/b2c3d4e5f6a7_notes_pinned.ts"

const revisions = staticRevisions([notes, pinned])

export default {
  async fetch(
    _request: Request,
    env: { DATABASE_URL: string; DATABASE_AUTH_TOKEN: string },
  ): Promise<Response> {
    const engine = createEngine(env.DATABASE_URL, { driver: libsql({ authToken: env.DATABASE_AUTH_TOKEN }) })
    const applied = await new Migrator(engine, { revisions }).upgrade()
    return Response.json(applied.map((step) => `${step.direction} ${step.revision} ${step.message}`))
  },
}
