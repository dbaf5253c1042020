// Embedded libSQL (`file:` and `:memory:`) with the native `@libsql/client`: Node only, behind its
// own entry point so that no Workers bundle carries it.
import { createClient } from "@libsql/client"
import type { Driver } from "../transport.ts"
import { type LibsqlOptions, libsqlDriver } from "./driver.ts"

export function libsqlEmbedded(options: LibsqlOptions = {}): Driver {
  return libsqlDriver(createClient, "embedded", options)
}
