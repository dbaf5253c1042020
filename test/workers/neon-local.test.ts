import { neonContract } from "../contract/neon-local.ts"

neonContract({ label: "workerd" })
