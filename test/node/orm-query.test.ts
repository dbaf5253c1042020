// The ORM query suite on all four transports, in Node.
import { join } from "node:path"
import ws from "ws"
import { libsqlEmbedded } from "../../src/libsql-node.ts"
import { libsqlEmbeddedFixture, libsqlHttpFixture, neonFixture } from "../engine/transports.ts"
import { loadingAttacksSuite } from "../orm/loading-attacks-suite.ts"
import { querySuite } from "../orm/query-suite.ts"
import { scratchDir } from "../setup/scratch.ts"

const fixtures = [
  neonFixture("http", ws),
  neonFixture("websocket", ws),
  libsqlHttpFixture(),
  libsqlEmbeddedFixture(libsqlEmbedded(), join(scratchDir("ea-query"), "query.db")),
]
for (const fixture of fixtures) {
  querySuite(fixture)
  loadingAttacksSuite(fixture)
}
