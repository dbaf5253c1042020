import { neonAccessContract } from "../contract/neon-local-access.ts"
import { neonContract } from "../contract/neon-local.ts"

neonContract({ label: "workerd" })
neonAccessContract({ label: "workerd" })
