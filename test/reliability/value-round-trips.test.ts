// The value round trips (value-suite.ts) in Node, on all four transports.
import { join } from "node:path"
import ws from "ws"
import { libsqlEmbedded } from "../../src/libsql-node.ts"
import { libsqlEmbeddedFixture, libsqlHttpFixture, neonFixture } from "../engine/transports.ts"
import { scratchDir } from "../setup/scratch.ts"
import { valueRoundTrips } from "./value-suite.ts"

valueRoundTrips(neonFixture("http", ws), "rv", 0)
valueRoundTrips(neonFixture("websocket", ws), "rv", 1)
valueRoundTrips(libsqlHttpFixture(), "rv", 2)
valueRoundTrips(libsqlEmbeddedFixture(libsqlEmbedded(), join(scratchDir("ea-values"), "values.db")), "rv", 3)
