import ws from "ws"
import { neonContract } from "../contract/neon-local.ts"
import { neonAccessContract } from "../contract/neon-local-access.ts"

neonContract({ webSocketConstructor: ws, label: "node" })
neonAccessContract({ webSocketConstructor: ws, label: "node" })
