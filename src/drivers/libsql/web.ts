// Turso over HTTP with `@libsql/client/web`: fetch only, so it runs in Workers.
import { createClient } from "@libsql/client/web"
import type { Driver } from "../transport.ts"
import { type LibsqlOptions, libsqlDriver } from "./driver.ts"

/** The libSQL driver for `libsql://`, `https://` and `http://` URLs: `createEngine(url, { driver: libsql({ authToken }) })`. */
export function libsql(options: LibsqlOptions = {}): Driver {
  return libsqlDriver(createClient, "http", options)
}
