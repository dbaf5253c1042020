import ws from "ws"
import { neonAccessContract } from "../contract/neon-local-access.ts"
import { neonContract } from "../contract/neon-local.ts"

neonContract({ webSocketConstructor: ws, label: "node" })
neonAccessContract({ webSocketConstructor: ws, label: "node" })
