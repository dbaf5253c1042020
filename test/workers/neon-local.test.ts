import { neonContract } from "../contract/neon-local.ts"
import { neonAccessContract } from "../contract/neon-local-access.ts"
import { neonSqlOverHttpContract } from "../contract/neon-sql-over-http.ts"

neonContract({ label: "workerd" })
neonAccessContract({ label: "workerd" })
neonSqlOverHttpContract({ label: "workerd" })
