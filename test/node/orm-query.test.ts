// The ORM query suite on all four transports, in Node.
import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import ws from "ws"
import { libsqlEmbedded } from "../../src/libsql-node.ts"
import { libsqlEmbeddedFixture, libsqlHttpFixture, neonFixture } from "../engine/transports.ts"
import { querySuite } from "../orm/query-suite.ts"

querySuite(neonFixture("http", ws))
querySuite(neonFixture("websocket", ws))
querySuite(libsqlHttpFixture())
querySuite(
  libsqlEmbeddedFixture(libsqlEmbedded(), join(mkdtempSync(join(tmpdir(), "ea-query-")), "query.db")),
)
