// The AsyncSession suite on all four transports, in Node.
import { join } from "node:path"
import ws from "ws"
import { libsqlEmbedded } from "../../src/libsql-node.ts"
import { libsqlEmbeddedFixture, libsqlHttpFixture, neonFixture } from "../engine/transports.ts"
import { sessionSuite } from "../orm/session-suite.ts"
import { scratchDir } from "../setup/scratch.ts"

sessionSuite(neonFixture("http", ws))
sessionSuite(neonFixture("websocket", ws))
sessionSuite(libsqlHttpFixture())
sessionSuite(libsqlEmbeddedFixture(libsqlEmbedded(), join(scratchDir("ea-orm"), "orm.db")))
