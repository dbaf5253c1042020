// libsql-local's wire contract, checked from inside workerd with the real `@libsql/client/web`, as a
// deployed Worker would talk to Turso. Servers cannot be started here: the global setup provides both
// endpoints, including one whose streams expire after 200 ms.
import { inject } from "vitest"
import { libsqlLocalContract } from "../contract/libsql-local.ts"
import { libsqlResponseLimitContract } from "../contract/libsql-response-limit.ts"

libsqlLocalContract({
  runtime: "workers",
  endpoint: inject("libsql"),
  shortExpiry: inject("libsqlShortExpiry"),
})
libsqlResponseLimitContract({ runtime: "workers", endpoint: inject("libsql") })
