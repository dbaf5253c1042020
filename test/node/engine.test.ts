// The engine conformance suite on all four transports, in Node.
import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import ws from "ws"
import { libsqlEmbedded } from "../../src/libsql-node.ts"
import { engineConformance } from "../engine/conformance.ts"
import { libsqlEmbeddedFixture, libsqlHttpFixture, neonFixture } from "../engine/transports.ts"

engineConformance(neonFixture("http", ws))
engineConformance(neonFixture("websocket", ws))
engineConformance(libsqlHttpFixture())
engineConformance(
  libsqlEmbeddedFixture(libsqlEmbedded(), join(mkdtempSync(join(tmpdir(), "ea-engine-")), "engine.db")),
)
