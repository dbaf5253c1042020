import { neonContract } from "../contract/neon-local.ts"
import { neonAccessContract } from "../contract/neon-local-access.ts"

neonContract({ label: "workerd" })
neonAccessContract({ label: "workerd" })
