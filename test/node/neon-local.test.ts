import ws from "ws"
import { neonContract } from "../contract/neon-local.ts"
import { neonAccessContract } from "../contract/neon-local-access.ts"
import { neonSqlOverHttpContract } from "../contract/neon-sql-over-http.ts"

neonContract({ webSocketConstructor: ws, label: "node" })
neonAccessContract({ webSocketConstructor: ws, label: "node" })
neonSqlOverHttpContract({ label: "node" })
