// The engine conformance suite on all four transports, in Node.
import { join } from "node:path"
import ws from "ws"
import { libsqlEmbedded } from "../../src/libsql-node.ts"
import { engineConformance } from "../engine/conformance.ts"
import { libsqlEmbeddedFixture, libsqlHttpFixture, neonFixture } from "../engine/transports.ts"
import { scratchDir } from "../setup/scratch.ts"

engineConformance(neonFixture("http", ws))
engineConformance(neonFixture("websocket", ws))
engineConformance(libsqlHttpFixture())
engineConformance(libsqlEmbeddedFixture(libsqlEmbedded(), join(scratchDir("ea-engine"), "engine.db")))
