import ws from "ws"
import { neonContract } from "../contract/neon-local.ts"

neonContract({ webSocketConstructor: ws, label: "node" })
