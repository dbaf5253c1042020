// Embedded libSQL (`file:` and `:memory:`) with the native `@libsql/client`: Node only, behind its
// own entry point so that no Workers bundle carries it.
import { type Client, createClient } from "@libsql/client"
import { cached } from "../../util/cached.ts"
import type { Driver } from "../transport.ts"
import { type LibsqlOptions, libsqlDriver } from "./driver.ts"

const MEMORY = /^(:memory:|file::memory:)/i

export function libsqlEmbedded(options: LibsqlOptions = {}): Driver {
  // A `:memory:` database lives and dies with its client: every connection of the engine shares one.
  const memory = new Map<string, Client>()
  const sharedClient = (url: string) =>
    MEMORY.test(url) ? () => cached(memory, url, () => createClient({ url, intMode: "bigint" })) : undefined
  return libsqlDriver(createClient, "embedded", options, sharedClient)
}
