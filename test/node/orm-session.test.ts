// The AsyncSession suite on all four transports, in Node.
import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import ws from "ws"
import { libsqlEmbedded } from "../../src/libsql-node.ts"
import { libsqlEmbeddedFixture, libsqlHttpFixture, neonFixture } from "../engine/transports.ts"
import { sessionSuite } from "../orm/session-suite.ts"

sessionSuite(neonFixture("http", ws))
sessionSuite(neonFixture("websocket", ws))
sessionSuite(libsqlHttpFixture())
sessionSuite(libsqlEmbeddedFixture(libsqlEmbedded(), join(mkdtempSync(join(tmpdir(), "ea-orm-")), "orm.db")))
